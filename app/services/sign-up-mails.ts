// The two mails a sign-up sends: the code for a new address, a notice for one that has an account. Neither links
// anywhere: the request's Host is the sender's to choose, so a link built from it could point at their site.
import type { Mail } from "../../db/platform/mail";

export function signUpCodeMail(to: string, code: string, validMinutes: number): Mail {
  return {
    to,
    subject: `${code} is your Candlecast sign-up code`,
    text: [
      `Your code to finish signing up for Candlecast: ${code}`,
      "",
      `Enter it on the sign-up page within ${validMinutes} minutes; it works once.`,
      "If you did not sign up, ignore this mail: no account is made without the code.",
    ].join("\n"),
  };
}

export function addressTakenMail(to: string): Mail {
  return {
    to,
    subject: "Someone tried to sign up with your address",
    text: [
      "Someone, perhaps you, tried to sign up for Candlecast with this address, which already has an account.",
      "Nothing was changed and no new account was made.",
      "",
      "If it was you: log in on Candlecast with this address and your password instead.",
      "If it was not you: you can ignore this mail.",
    ].join("\n"),
  };
}
