// Sign-up by emailed code (ADR 163): every valid request is answered alike, whether its email has an account; the
// code, entered from the same browser, creates the account. Shared rules: one live code per email, 15 minutes, 5
// tries, a resend at most once a minute and 5 codes per sign-up.
import type { AppContext } from "~/context.server";
import type { Mail } from "../../db/platform/mail";
import { newId } from "../../db/platform/ids";
import { hashCode, newCode, sameHash } from "../../db/platform/one-time-code";
import { hashPassword } from "../../db/platform/password";
import type { SignUpInput } from "../../db/contracts/validation/account";
import { createUser, EmailTakenError, findUserByEmail } from "../../db/store/queries/users";
import {
  claimPendingSignUp,
  countCodeAttempt,
  findPendingSignUp,
  putPendingSignUp,
  renewCode,
} from "../../db/store/queries/pending-sign-ups";
import { addressTakenMail, signUpCodeMail } from "./sign-up-mails";

export const CODE_VALID_MS = 15 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const RESEND_AFTER_MS = 60_000;
export const MAX_CODES_PER_SIGN_UP = 5;

/**
 * Mail leaves in the background: the answer must not wait for (or reveal, by its timing) the SMTP server, and a
 * failed send is logged; the visitor can ask for another code.
 */
function deliver(app: AppContext, mail: Mail) {
  app.mailer.send(mail).catch((error) => app.logger.error({ err: error }, "sending a sign-up mail failed"));
}

const codeMail = (email: string, code: string) =>
  signUpCodeMail(email, code, Math.round(CODE_VALID_MS / 60_000));

/**
 * Stores the sign-up and mails its code, or, when the email has an account, stores one no code can finish and
 * mails its owner a notice. The same work either way (the password is hashed in both); returns the id the
 * browser keeps.
 */
export async function requestSignUp(app: AppContext, input: SignUpInput): Promise<{ id: string }> {
  const db = app.store.db;
  const passwordHash = await hashPassword(input.password);
  const taken = Boolean(await findUserByEmail(db, input.email));
  const id = newId();
  const code = newCode();
  const now = Date.now();
  await putPendingSignUp(db, {
    id,
    email: input.email,
    name: input.name,
    passwordHash: taken ? null : passwordHash,
    codeHash: await hashCode(app.config.sessionSecret, id, code),
    sentAt: now,
    expiresAt: now + CODE_VALID_MS,
  });
  deliver(app, taken ? addressTakenMail(input.email) : codeMail(input.email, code));
  return { id };
}

export type CodeRefusal =
  { field: "code"; message: string } | { field: "_form"; message: string; retryAfterSeconds?: number };

const ENDED: CodeRefusal = {
  field: "_form",
  message:
    "This sign-up is no longer waiting for a code (it was finished or replaced by a newer one). Sign up again.",
};

/** The new user's id when `code` is this sign-up's, else why not (the same answers whether the email was taken). */
export async function verifySignUpCode(
  app: AppContext,
  id: string,
  code: string,
): Promise<{ userId: string } | { refused: CodeRefusal }> {
  const db = app.store.db;
  const pending = await findPendingSignUp(db, id);
  if (!pending) return { refused: ENDED };
  if (pending.expiresAt <= Date.now())
    return { refused: { field: "code", message: "This code has expired. Send a new one." } };
  const attempts = await countCodeAttempt(db, id);
  if (attempts === null) return { refused: ENDED };
  if (attempts > MAX_CODE_ATTEMPTS)
    return { refused: { field: "code", message: "Too many wrong codes. Send a new one." } };
  const codeHash = await hashCode(app.config.sessionSecret, id, code);
  if (!sameHash(codeHash, pending.codeHash) || pending.passwordHash === null) {
    const left = MAX_CODE_ATTEMPTS - attempts;
    return {
      refused: {
        field: "code",
        message: left
          ? `That code is not right: ${left} ${left === 1 ? "try" : "tries"} left.`
          : "That code is not right. Send a new one.",
      },
    };
  }
  const claimed = await claimPendingSignUp(db, id, codeHash);
  if (!claimed?.passwordHash) return { refused: ENDED };
  try {
    const user = await createUser(
      db,
      { email: claimed.email, name: claimed.name, password: "" },
      { passwordHash: claimed.passwordHash },
    );
    return { userId: user.id };
  } catch (error) {
    // Only the owner of the mailbox gets here, so saying the address has an account tells nobody else anything.
    if (!(error instanceof EmailTakenError)) throw error;
    return { refused: { field: "_form", message: "This email has an account now: log in instead." } };
  }
}

/** Mails a new code (the old one stops working), or the notice again for a taken email; refused too soon or too often. */
export async function resendSignUpCode(
  app: AppContext,
  id: string,
): Promise<{ sent: true } | { refused: CodeRefusal }> {
  const db = app.store.db;
  const pending = await findPendingSignUp(db, id);
  if (!pending) return { refused: ENDED };
  if (pending.sends >= MAX_CODES_PER_SIGN_UP)
    return {
      refused: {
        field: "_form",
        message: `That was the last of ${MAX_CODES_PER_SIGN_UP} codes for this sign-up. Sign up again to start over.`,
      },
    };
  const now = Date.now();
  const wait = Math.ceil((pending.sentAt + RESEND_AFTER_MS - now) / 1000);
  if (wait > 0)
    return {
      refused: {
        field: "_form",
        message: `A code was sent less than a minute ago. Wait ${wait} s before asking for another.`,
        retryAfterSeconds: wait,
      },
    };
  const code = newCode();
  const renewed = await renewCode(db, id, pending.sentAt, {
    codeHash: await hashCode(app.config.sessionSecret, id, code),
    sentAt: now,
    expiresAt: now + CODE_VALID_MS,
  });
  if (!renewed)
    return {
      refused: {
        field: "_form",
        message: "A code was sent a moment ago. Wait a minute before asking for another.",
        retryAfterSeconds: RESEND_AFTER_MS / 1000,
      },
    };
  deliver(
    app,
    pending.passwordHash === null ? addressTakenMail(pending.email) : codeMail(pending.email, code),
  );
  return { sent: true };
}
