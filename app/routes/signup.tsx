// Sign up: email, name and a password that is hard to guess, then the code mailed to that email (ADR 163); a paper
// broker account comes with every new account. Every valid request gets the same "check your email" answer.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { AuthCard, useAuthRedirect } from "~/components/auth-card";
import { FormError, SubmitButton, TextField } from "~/components/forms";
import { SignUpCodeForm } from "~/components/sign-up-code-form";
import { clientAddress, createLoginThrottle, SIGNUP_WINDOW_MS } from "~/login-throttle.server";
import { assertSameOrigin, redirectIfSignedIn } from "~/session.server";
import { requestSignUp } from "~/services/sign-up.server";
import { pendingSignUpCookie } from "~/sign-up-cookie.server";
import { PasswordCheckBusyError } from "../../db/platform/password";
import { signUpSchema } from "../../db/contracts/validation/account";
import { parseInput } from "../../db/contracts/validation/fields";
import { passwordWeakness } from "../../db/platform/password-strength";
import { readForm } from "~/request-body.server";

export const meta: MetaFunction = () => [{ title: "Sign up · Candlecast" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return redirectIfSignedIn(request, context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await readForm(request);
  const parsed = parseInput(signUpSchema, form);
  if (!parsed.ok) return json({ errors: parsed.errors }, { status: 400 });
  const weakness = passwordWeakness(parsed.data.password, [parsed.data.email, parsed.data.name]);
  if (weakness) return json({ errors: { password: weakness } as Record<string, string> }, { status: 400 });
  if (!(await createLoginThrottle(context.app.infra.cache).admitSignUp(clientAddress(request))))
    return json(
      {
        errors: { _form: "Too many sign-ups from your network. Try again within an hour." } as Record<
          string,
          string
        >,
      },
      { status: 429, headers: { "Retry-After": String(SIGNUP_WINDOW_MS / 1000) } },
    );
  let pending: { id: string };
  try {
    pending = await requestSignUp(context.app, parsed.data);
  } catch (error) {
    if (!(error instanceof PasswordCheckBusyError)) throw error;
    return json(
      { errors: { _form: "Too many sign-ups at once. Try again in a moment." } as Record<string, string> },
      { status: 503, headers: { "Retry-After": "1" } },
    );
  }
  // The same answer whether the email has an account: only its mailbox learns which.
  const email = parsed.data.email;
  return json(
    { sentTo: email },
    { headers: { "Set-Cookie": await pendingSignUpCookie(request, context, { id: pending.id, email }) } },
  );
}

export default function SignUp() {
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = (data && "errors" in data ? data.errors : undefined) ?? {};
  const { redirectTo, switchTo } = useAuthRedirect();
  if (data && "sentTo" in data)
    return (
      <AuthCard
        title="Check your email"
        subtitle={`We sent a 6-digit code to ${data.sentTo}. Enter it here to finish signing up.`}
        footer={<>Already have an account? {switchTo("/login", "Log in")}</>}
      >
        <SignUpCodeForm redirectTo={redirectTo} errors={{}} />
      </AuthCard>
    );
  return (
    <AuthCard
      title="Create your account"
      subtitle="Follow strategies with your own risk settings. A paper account to practise with is included."
      footer={<>Already have an account? {switchTo("/login", "Log in")}</>}
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
          name="name"
          label="Name"
          autoComplete="name"
          required
          error={errors.name}
          help="Shown on strategies you publish."
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          error={errors.password}
          help="At least 8 characters and hard to guess: a few unrelated words work well."
        />
        <SubmitButton className="w-full" pendingLabel="Creating account…">
          Sign up
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
