// An API operation: method, path, input and output schemas (for the dispatcher AND the OpenAPI document) and its handler.
import type { AppLoadContext } from "@remix-run/node";
import type { z } from "zod";
import type { ApiUser } from "./auth.server";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface ApiRequest<Q, B> {
  request: Request;
  context: AppLoadContext;
  /** Always set, except on `public` operations. */
  user: ApiUser;
  params: Record<string, string>;
  query: Q;
  /** The parsed body; for `partialBody` operations, the raw JSON the handler merges and parses itself. */
  body: B;
}

export interface ApiReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** The answer carries a `Location` header: the new resource, or the URL to poll. */
  location?: boolean;
}

export interface Operation<Q = unknown, B = unknown> {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template under /api/v1, e.g. /strategies/{id}. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** No token needed (the OpenAPI document). */
  public?: boolean;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** PATCH: the body is merged over the current record, then parsed with `body` by the handler. */
  partialBody?: boolean;
  /** Success responses; error responses (the one error shape) are listed by status. */
  responses: Record<number, ResponseSpec>;
  errors?: number[];
  handler(req: ApiRequest<Q, B>): Promise<ApiReply>;
}

/** Keeps the handler's query and body types tied to the schemas the operation declares. */
export function defineOperation<Q = Record<string, never>, B = undefined>(op: Operation<Q, B>): Operation {
  return op as unknown as Operation;
}

/** `{id}` names in a path template. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}
