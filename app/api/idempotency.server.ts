// `Idempotency-Key` on API POSTs (Stripe's semantics, ADR 166): the same key, user and request get the
// first answer again; the same key with another request is a 409; so is a duplicate while the first runs.
import type { Db } from "../../db/store/client";
import {
  claimIdempotencyKey,
  releaseIdempotencyKey,
  storeIdempotentAnswer,
} from "../../db/store/queries/idempotency";
import { ApiError, invalidInput, toApiError } from "./errors.server";
import type { ApiReply, Operation } from "./operation.server";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

async function fingerprint(method: string, url: string, body: unknown): Promise<string> {
  const { pathname, search } = new URL(url);
  const text = `${method} ${pathname}${search}\n${JSON.stringify(body ?? null)}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const conflict = (message: string, headers?: Record<string, string>) =>
  new ApiError(409, "conflict", message, { [IDEMPOTENCY_HEADER]: message }, headers);

/** What is kept of an error answer: the request id is each request's own. */
type StoredError = Pick<ApiError, "code" | "message" | "fields">;

/** An answer the handler gave is kept, except a refused input (422): nothing ran, fix it and retry. */
const keeps = (error: ApiError) => error.status < 500 && error.status !== 422;

/** Runs `handle` once per (user, key, request); without the header, or on another method, just runs it. */
export async function runIdempotent(
  db: Db,
  op: Operation,
  request: Request,
  userId: string,
  body: unknown,
  handle: () => Promise<ApiReply>,
): Promise<ApiReply> {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (op.method !== "POST" || key === null) return handle();
  if (!KEY_SHAPE.test(key))
    throw invalidInput({
      [IDEMPOTENCY_HEADER]: `${IDEMPOTENCY_HEADER} must be 1 to 255 printable ASCII characters`,
    });
  const claim = await claimIdempotencyKey(db, userId, key, await fingerprint(op.method, request.url, body));
  if (claim.kind === "other_request")
    throw conflict(`This ${IDEMPOTENCY_HEADER} was used with another request (method, path or body)`);
  if (claim.kind === "in_progress")
    throw conflict(`A request with this ${IDEMPOTENCY_HEADER} is still running: retry in a moment`, {
      "Retry-After": "1",
    });
  if (claim.kind === "replay") {
    const { status, body: stored, headers } = claim.answer;
    const replayed = { ...headers, [REPLAYED_HEADER]: "true" };
    if (status < 400) return { status, body: stored, headers: replayed };
    const error = stored as StoredError;
    throw new ApiError(status, error.code, error.message, error.fields, replayed);
  }

  try {
    const reply = await handle();
    await storeIdempotentAnswer(db, userId, key, {
      status: reply.status ?? 200,
      body: reply.body,
      headers: reply.headers ?? {},
    });
    return reply;
  } catch (error) {
    const known = toApiError(error);
    if (known && keeps(known)) {
      const body: StoredError = { code: known.code, message: known.message, fields: known.fields };
      await storeIdempotentAnswer(db, userId, key, {
        status: known.status,
        body,
        headers: known.headers ?? {},
      });
    } else await releaseIdempotencyKey(db, userId, key);
    throw error;
  }
}
