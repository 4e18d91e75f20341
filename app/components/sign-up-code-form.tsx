// The code step of sign-up, shown after the form is sent and on /signup/verify: the code, and a new one on request.
import { Form, Link } from "@remix-run/react";
import { FormError, SubmitButton, TextField } from "./forms";

export function SignUpCodeForm({
  redirectTo,
  errors,
  notice,
}: {
  redirectTo: string;
  errors: Record<string, string>;
  notice?: string;
}) {
  // The query keeps redirectTo on /signup/verify's address too, for the next submission from there.
  const query = redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : "";
  return (
    <div className="space-y-4">
      {notice ? (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
        >
          {notice}
        </p>
      ) : null}
      <FormError error={errors._form} />
      <Form method="post" action={`/signup/verify${query}`} noValidate className="space-y-4">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField
          name="code"
          label="Code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          autoFocus
          className="font-mono tracking-[0.4em]"
          error={errors.code}
          help="6 digits, valid for 15 minutes. Nothing arrived? Check your spam folder, or send a new code."
        />
        <SubmitButton className="w-full" name="intent" value="verify" pendingLabel="Checking…">
          Verify and create account
        </SubmitButton>
      </Form>
      <Form
        method="post"
        action={`/signup/verify${query}`}
        className="flex items-center justify-between gap-3"
      >
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <SubmitButton variant="secondary" size="sm" name="intent" value="resend" pendingLabel="Sending…">
          Send a new code
        </SubmitButton>
        <Link to={`/signup${query}`} className="text-sm font-medium text-brand-600 hover:underline">
          Use another address
        </Link>
      </Form>
    </div>
  );
}
