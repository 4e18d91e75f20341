// The one mapping of the store's expected failures (typed errors naming a field) for the API and the forms alike.
import { LatestVersionError } from "../../db/store/queries/author";
import { BacktestInputError } from "../../db/store/queries/backtests";
import { SlugTakenError, VersionNotIncreasingError } from "../../db/store/queries/strategies";
import { InvalidReferenceError, SubscriptionLimitError } from "../../db/store/queries/subscriptions";
import { TokenLimitError } from "../../db/store/queries/api-tokens";
import { EmailTakenError } from "../../db/store/queries/users";
import { StatusChangeRefusedError, SubscriptionCancelledError } from "./subscriptions.server";

/** A conflict with the current state (409 in the API) or a bad reference in the input (422). */
export type DomainFieldError = { kind: "conflict" | "invalid"; field: string; message: string };

export function domainFieldError(error: unknown): DomainFieldError | null {
  if (
    error instanceof SlugTakenError ||
    error instanceof VersionNotIncreasingError ||
    error instanceof LatestVersionError ||
    error instanceof SubscriptionCancelledError ||
    error instanceof StatusChangeRefusedError ||
    error instanceof EmailTakenError ||
    error instanceof TokenLimitError ||
    error instanceof SubscriptionLimitError
  ) {
    return { kind: "conflict", field: error.field, message: error.message };
  }
  if (error instanceof InvalidReferenceError || error instanceof BacktestInputError) {
    return { kind: "invalid", field: error.field, message: error.message };
  }
  return null;
}

/** A form's field errors for an expected failure; anything else is rethrown (not ours to show). */
export function formFieldErrors(error: unknown): Record<string, string> {
  const mapped = domainFieldError(error);
  if (!mapped) throw error;
  return { [mapped.field]: mapped.message };
}
