// Log in, with failed attempts rate-limited per email and client address.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { AuthCard, useAuthRedirect } from "~/components/auth-card";
import { FormError, SubmitButton, TextField } from "~/components/forms";
import { clientAddress, createLoginThrottle } from "~/login-throttle.server";
import { assertSameOrigin, createUserSession, redirectIfSignedIn, safeRedirect } from "~/session.server";
import { findUserByEmail } from "../../db/store/queries/users";
import { verifyPassword } from "../../db/platform/password";
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
  const waitMinutes = await throttle.blockedForMinutes(email, client);
  if (waitMinutes > 0) {
    const _form = `Too many failed log-in attempts. Try again in ${waitMinutes} minute${waitMinutes === 1 ? "" : "s"}.`;
    return json(
      { errors: { _form } as Record<string, string> },
      { status: 429, headers: { "Retry-After": String(waitMinutes * 60) } },
    );
  }
  const user = await findUserByEmail(context.app.store.db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    await throttle.recordFailure(email, client);
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
