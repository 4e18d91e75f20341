// The API's one error shape, its typed error, and the mapping of the store's expected failures onto it.
import { z } from "zod";
import { JobsUnavailableError } from "../services/author-jobs.server";
import { domainFieldError } from "../services/domain-errors.server";

export const API_ERROR_CODES = [
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "validation_failed",
  "rate_limited",
  "jobs_unavailable",
  "internal",
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** `{"error":{"code":"…","message":"…","fields":{"name":"message"},"requestId":"…"}}`: every non-2xx answer of /api/v1. */
export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(API_ERROR_CODES).meta({ description: "What went wrong, for programs" }),
      message: z
        .string()
        .meta({ description: "What went wrong, for people (the first bad field's message)" }),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .meta({
          description: "Each bad field (dotted path, e.g. tags.1) and what is wrong with it",
          examples: [{ leverage: "Leverage must be at most 20×" }],
        }),
      requestId: z.string().meta({
        description: "The request's id, as in the X-Request-Id header: quote it when reporting a problem",
        examples: ["019384a0-7c1e-7000-8000-000000000001"],
      }),
    }),
  })
  .meta({ id: "Error", description: "The one error shape of every non-2xx answer" });

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);

/** 422 naming every bad field; the message repeats the first so a client that shows one line shows the right one. */
export function invalidInput(fields: Record<string, string>): ApiError {
  const [first] = Object.entries(fields);
  return new ApiError(422, "validation_failed", first ? `${first[0]}: ${first[1]}` : "Invalid input", fields);
}

export const REQUEST_ID_HEADER = "X-Request-Id";

export function errorResponse(error: ApiError, requestId: string): Response {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.fields ? { fields: error.fields } : {}),
      requestId,
    },
  };
  return Response.json(body, {
    status: error.status,
    headers: { "Cache-Control": "no-store", [REQUEST_ID_HEADER]: requestId, ...error.headers },
  });
}

/** The store's expected failures (typed errors with a user-facing message) as API errors; anything else is not ours to map. */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof JobsUnavailableError) return new ApiError(503, "jobs_unavailable", error.message);
  const mapped = domainFieldError(error);
  if (!mapped) return null;
  const fields = { [mapped.field]: mapped.message };
  return mapped.kind === "conflict"
    ? new ApiError(409, "conflict", mapped.message, fields)
    : invalidInput(fields);
}
