// The browser's hold on its sign-up while it waits for the code: a signed httpOnly cookie with the pending
// sign-up's id and the email it was sent to. Only the browser that asked can finish the sign-up (ADR 163).
import { createCookie, type AppLoadContext } from "@remix-run/node";
import { isHttps } from "./session.server";

export type PendingSignUpRef = { id: string; email: string };

/** Long enough for the codes a sign-up may ask for (5, a minute apart, 15 minutes each). */
const MAX_AGE_S = 60 * 60;

function cookie(context: AppLoadContext) {
  return createCookie("__signup", {
    httpOnly: true,
    sameSite: "lax",
    path: "/signup",
    maxAge: MAX_AGE_S,
    secrets: [context.app.config.sessionSecret],
  });
}

export async function readPendingSignUp(
  request: Request,
  context: AppLoadContext,
): Promise<PendingSignUpRef | null> {
  const value: unknown = await cookie(context).parse(request.headers.get("Cookie"));
  if (typeof value !== "object" || value === null) return null;
  const { id, email } = value as Record<string, unknown>;
  return typeof id === "string" && typeof email === "string" ? { id, email } : null;
}

export function pendingSignUpCookie(request: Request, context: AppLoadContext, ref: PendingSignUpRef) {
  return cookie(context).serialize(ref, { secure: isHttps(request) });
}

export function clearedPendingSignUpCookie(request: Request, context: AppLoadContext) {
  return cookie(context).serialize("", { maxAge: 0, secure: isHttps(request) });
}
