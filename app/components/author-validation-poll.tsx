// Keeps a pending validation's panel current: polls the author's validation route until the result is in.
import { useFetcher } from "@remix-run/react";
import { useEffect } from "react";
import type { ValidationView } from "~/services/validation-view";
import { ValidationPanel } from "./author-validation";

export function LiveValidation({
  view,
  requestId,
  declaredLookback,
}: {
  view: ValidationView | null;
  requestId: string | null;
  declaredLookback?: number;
}) {
  const fetcher = useFetcher<ValidationView>();
  const current = fetcher.data ?? view;
  const pending = current?.status === "pending" && requestId !== null;
  useEffect(() => {
    if (!pending || fetcher.state !== "idle") return;
    // The route itself waits up to two seconds for the result: a tight loop of long polls.
    const timer = setTimeout(() => fetcher.load(`/author/validations/${requestId}`), 100);
    return () => clearTimeout(timer);
  }, [pending, fetcher, requestId]);
  return <ValidationPanel view={current} declaredLookback={declaredLookback} />;
}
