// Input parsing for the API: JSON bodies within a size bound, and zod schemas whose errors become a 422 naming the fields.
import type { z } from "zod";
import { fieldErrors } from "../../db/contracts/validation/fields";
import { ApiError, invalidInput } from "./errors.server";

export const MAX_BODY_BYTES = 512 * 1024;

/** Parses with the one schema of the concept; a failure is a thrown 422 naming each bad field. */
export function parseOr422<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(fieldErrors(result.error));
  return result.data;
}

/** The request's JSON body; an empty body reads as {} so that missing fields are named rather than the body. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("Content-Length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw tooLarge();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      "bad_request",
      `The body is not valid JSON (${(error as Error).message}); send Content-Type: application/json`,
    );
  }
}

function tooLarge() {
  return new ApiError(413, "payload_too_large", `The body must be at most ${MAX_BODY_BYTES / 1024} KiB`);
}

/** Query parameters as an object (the last value of a repeated one wins). */
export function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

/** A PATCH body: a JSON object of the fields to change (anything else is a 422 on the whole body). */
export function patchObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidInput({ _form: "The body must be a JSON object of the fields to change" });
  }
  return body as Record<string, unknown>;
}
