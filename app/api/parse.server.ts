// Input parsing for the API: JSON bodies within a size bound, and zod schemas whose errors become a 422 naming the fields.
import type { z } from "zod";
import { fieldErrors } from "../../db/contracts/validation/fields";
import { BodyTooLargeError, formatBytes, mediaType, readBodyBytes } from "../request-body.server";
import { ApiError, invalidInput } from "./errors.server";

export const MAX_BODY_BYTES = 512 * 1024;

/** Parses with the one schema of the concept; a failure is a thrown 422 naming each bad field. */
export function parseOr422<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(fieldErrors(result.error));
  return result.data;
}

const isJsonType = (type: string) =>
  type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);

/**
 * The request's JSON body, read within MAX_BODY_BYTES (413 as soon as more arrives); an empty body reads as {}
 * so that missing fields are named rather than the body. A body of another media type (or none declared) is a 415.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const type = mediaType(request);
  if (type !== "" && !isJsonType(type)) throw unsupportedType(type);
  let bytes: Uint8Array;
  try {
    bytes = await readBodyBytes(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new ApiError(413, "payload_too_large", `The body must be at most ${formatBytes(MAX_BODY_BYTES)}`);
    throw new ApiError(400, "bad_request", "The body could not be read: it was cut off");
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return {};
  if (type === "") throw unsupportedType(type);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "bad_request", `The body is not valid JSON (${(error as Error).message})`);
  }
}

function unsupportedType(type: string) {
  const sent = type ? `Content-Type ${type.slice(0, 100)} is not accepted` : "The body has no Content-Type";
  return new ApiError(415, "unsupported_media_type", `${sent}: send Content-Type: application/json`);
}

/** 422 naming each top-level field the body schema does not declare (a misspelt field is never dropped silently). */
export function refuseUnknownFields(schema: z.ZodType, body: unknown) {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  if (!shape || typeof body !== "object" || body === null || Array.isArray(body)) return;
  const unknown = Object.keys(body).filter((key) => !Object.hasOwn(shape, key));
  if (unknown.length === 0) return;
  const known = Object.keys(shape).join(", ");
  throw invalidInput(
    Object.fromEntries(
      unknown.slice(0, 10).map((key) => [key.slice(0, 100), `Unknown field; this body takes ${known}`]),
    ),
  );
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
