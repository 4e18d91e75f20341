// The sign-up's code: the right one creates the account and signs in; a wrong or expired one is a field error;
// a new code on request, at most once a minute (ADR 163). Only the browser that signed up holds the sign-up.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AuthCard, useAuthRedirect } from "~/components/auth-card";
import { SignUpCodeForm } from "~/components/sign-up-code-form";
import { readForm } from "~/request-body.server";
import { assertSameOrigin, createUserSession, redirectIfSignedIn, safeRedirect } from "~/session.server";
import { resendSignUpCode, verifySignUpCode } from "~/services/sign-up.server";
import { clearedPendingSignUpCookie, readPendingSignUp } from "~/sign-up-cookie.server";

export const meta: MetaFunction = () => [{ title: "Enter your code · Candlecast" }];

const NOT_HERE = "This browser has no sign-up waiting for a code. Sign up again.";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await redirectIfSignedIn(request, context);
  const pending = await readPendingSignUp(request, context);
  if (!pending) throw redirect(`/signup${new URL(request.url).search}`);
  return json({ email: pending.email });
}

const refusal = (field: string, message: string, init: ResponseInit = { status: 400 }) =>
  json({ errors: { [field]: message } as Record<string, string> }, init);

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await readForm(request);
  const pending = await readPendingSignUp(request, context);
  if (!pending) return refusal("_form", NOT_HERE);
  if (form.get("intent") === "resend") {
    const resent = await resendSignUpCode(context.app, pending.id);
    if ("refused" in resent) {
      const { field, message } = resent.refused;
      const retry = "retryAfterSeconds" in resent.refused ? resent.refused.retryAfterSeconds : undefined;
      return refusal(
        field,
        message,
        retry ? { status: 429, headers: { "Retry-After": String(retry) } } : { status: 400 },
      );
    }
    return json({ notice: `We sent a new code to ${pending.email}. The earlier one no longer works.` });
  }
  const code = String(form.get("code") ?? "").replace(/\s+/g, "");
  if (!/^[0-9]{6}$/.test(code)) return refusal("code", "Enter the 6 digits of the code from the email.");
  const verified = await verifySignUpCode(context.app, pending.id, code);
  if ("refused" in verified) return refusal(verified.refused.field, verified.refused.message);
  const response = await createUserSession({
    request,
    context,
    userId: verified.userId,
    redirectTo: safeRedirect(form.get("redirectTo"), "/"),
  });
  response.headers.append("Set-Cookie", await clearedPendingSignUpCookie(request, context));
  return response;
}

export default function VerifySignUp() {
  const { email } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const { redirectTo, switchTo } = useAuthRedirect();
  return (
    <AuthCard
      title="Enter your code"
      subtitle={`We sent a 6-digit code to ${email}. Enter it to finish signing up.`}
      footer={<>Already have an account? {switchTo("/login", "Log in")}</>}
    >
      <SignUpCodeForm
        redirectTo={redirectTo}
        errors={(data && "errors" in data ? data.errors : undefined) ?? {}}
        notice={data && "notice" in data ? data.notice : undefined}
      />
    </AuthCard>
  );
}
