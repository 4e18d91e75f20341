// The id of an unexpected server error, from handleError (entry.server.tsx) to the 500 page, so a user can quote it.
import { createContext, useContext, useState } from "react";

export const ErrorIdContext = createContext<string | undefined>(undefined);

/** On the server the provider gives it; in the browser the server-rendered attribute does (same first render). */
export function useErrorId(): string | undefined {
  const fromServer = useContext(ErrorIdContext);
  const [id] = useState(
    () =>
      fromServer ??
      (typeof document === "undefined"
        ? undefined
        : (document.querySelector("[data-error-id]")?.getAttribute("data-error-id") ?? undefined)),
  );
  return id;
}
