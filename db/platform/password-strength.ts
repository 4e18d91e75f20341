// Refuses passwords that are easy to guess: zxcvbn-ts's score over its bundled word lists (common and
// breached passwords, names, keyboard patterns; no network), with the reason in words.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";

/** zxcvbn's 3: "safely unguessable", about 10^10 guesses (an offline attack on a slow hash). */
export const MIN_PASSWORD_SCORE = 3;

const REASONS: Record<string, string> = {
  topTen: "it is one of the most common passwords",
  topHundred: "it is one of the most common passwords",
  common: "it is a commonly used password",
  similarToCommon: "it is too close to a commonly used password",
  wordByItself: "a single word is easy to guess",
  namesByThemselves: "names are easy to guess",
  commonNames: "common names are easy to guess",
  userInputs: "it contains your email or name",
  straightRow: "a row of keys is easy to guess",
  keyPattern: "a keyboard pattern is easy to guess",
  simpleRepeat: "repeated characters are easy to guess",
  extendedRepeat: "repeated patterns are easy to guess",
  sequences: "sequences like abc or 1234 are easy to guess",
  recentYears: "recent years are easy to guess",
  dates: "dates are easy to guess",
};

let checker: ZxcvbnFactory | undefined; // built on first use (~60 ms: the word lists)

/** Why `password` is too weak, as a field error, or null when it is strong enough. */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  checker ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  const inputs = userInputs.flatMap((input) => [input, ...input.split(/[@.\s_+-]+/)]).filter(Boolean);
  const result = checker.check(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const reason = REASONS[result.feedback.warning ?? ""] ?? "it is too easy to guess";
  return `Choose a stronger password: ${reason}. A few unrelated words make a strong one.`;
}
