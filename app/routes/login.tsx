// Log in: attempts capped per email and client address, slowed per email, password checks bounded per process.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { AuthCard, useAuthRedirect } from "~/components/auth-card";
import { FormError, SubmitButton, TextField } from "~/components/forms";
import { clientAddress, createLoginThrottle } from "~/login-throttle.server";
import { assertSameOrigin, createUserSession, redirectIfSignedIn, safeRedirect } from "~/session.server";
import { findUserByEmail } from "../../db/store/queries/users";
import { PasswordCheckBusyError, verifyPassword } from "../../db/platform/password";
import { logInSchema } from "../../db/contracts/validation/account";
import { parseInput } from "../../db/contracts/validation/fields";
import { readForm } from "~/request-body.server";

export const meta: MetaFunction = () => [{ title: "Log in · Candlecast" }];

// Verified when the email is unknown, so a miss costs the same time as a wrong password.
const DUMMY_HASH = "pbkdf2$210000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return redirectIfSignedIn(request, context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await readForm(request);
  const parsed = parseInput(logInSchema, form);
  if (!parsed.ok) return json({ errors: parsed.errors }, { status: 400 });
  const { email, password } = parsed.data;
  const throttle = createLoginThrottle(context.app.infra.cache);
  const client = clientAddress(request);
  const admission = await throttle.admit(email, client);
  if (!admission.allowed) {
    const minutes = Math.ceil(admission.retryAfterSeconds / 60);
    return json(
      {
        errors: { _form: `Too many failed log-in attempts. Try again within ${minutes} minutes.` } as Record<
          string,
          string
        >,
      },
      { status: 429, headers: { "Retry-After": String(admission.retryAfterSeconds) } },
    );
  }
  if (admission.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, admission.delayMs));
  const user = await findUserByEmail(context.app.store.db, email);
  let ok: boolean;
  try {
    ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  } catch (error) {
    if (!(error instanceof PasswordCheckBusyError)) throw error;
    return json(
      { errors: { _form: "Too many log-ins at once. Try again in a moment." } as Record<string, string> },
      { status: 503, headers: { "Retry-After": "1" } },
    );
  }
  if (!user || !ok) {
    await throttle.recordFailure(email);
    return json(
      { errors: { _form: "Email or password is incorrect." } as Record<string, string> },
      { status: 400 },
    );
  }
  await throttle.recordSuccess(email, client);
  return createUserSession({
    request,
    context,
    userId: user.id,
    redirectTo: safeRedirect(form.get("redirectTo"), "/subscriptions"),
  });
}

export default function LogIn() {
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  const { redirectTo, switchTo } = useAuthRedirect();
  return (
    <AuthCard
      title="Log in"
      subtitle="Welcome back. Your subscriptions keep running while you are away."
      footer={<>New to Candlecast? {switchTo("/signup", "Sign up")}</>}
    >
      <Form method="post" noValidate className="space-y-4">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <FormError error={errors._form} />
        <TextField
          name="email"
          label="Email"
          type="email"
          autoComplete="email"
          required
          error={errors.email}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          error={errors.password}
        />
        <SubmitButton className="w-full" pendingLabel="Logging in…">
          Log in
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
