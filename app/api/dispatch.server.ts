// Runs an /api/v1 request: method match, token, rate limit, query and body parsing, the handler, one error shape.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { newId } from "../../db/platform/ids";
import { requireApiUser, type ApiUser } from "./auth.server";
import { ApiError, errorResponse, REQUEST_ID_HEADER, toApiError } from "./errors.server";
import { pathParams, type Operation } from "./operation.server";
import { OPERATIONS } from "./operations.server";
import { parseOr422, queryObject, readJsonBody, refuseUnknownFields } from "./parse.server";
import { hitApiRateLimits, rateLimitHeaders, rateLimitMessage } from "./rate-limit.server";
import { runIdempotent } from "./idempotency.server";

type Args = LoaderFunctionArgs | ActionFunctionArgs;

async function run(op: Operation, { request, context, params }: Args, headers: Record<string, string>) {
  let user: ApiUser | undefined;
  if (!op.public) {
    user = await requireApiUser(request, context);
    const decision = await hitApiRateLimits(context.app.infra.cache, user, context.app.config.limits);
    Object.assign(headers, rateLimitHeaders(decision));
    if (!decision.ok) throw new ApiError(429, "rate_limited", rateLimitMessage(decision));
  }
  const values: Record<string, string> = {};
  for (const name of pathParams(op.path)) {
    const value = params[name];
    if (!value || value.length > 200) throw new ApiError(404, "not_found", "Not found");
    values[name] = value;
  }
  const query = op.query ? parseOr422(op.query, queryObject(new URL(request.url))) : {};
  let body: unknown;
  if (op.body) {
    const raw = await readJsonBody(request);
    refuseUnknownFields(op.body, raw);
    body = op.partialBody ? raw : parseOr422(op.body, raw);
  }
  const handle = () => op.handler({ request, context, user: user!, params: values, query, body });
  return user ? runIdempotent(context.app.store.db, op, request, user.userId, body, handle) : handle();
}

/** The loader and action of the route file serving `path` (an OpenAPI path template under /api/v1). */
export function apiRoute(path: string) {
  const ops = OPERATIONS.filter((o) => o.path === path);
  if (ops.length === 0) throw new Error(`no API operation is defined for ${path}`);
  const allow = ops.map((o) => o.method).join(", ");

  async function handle(args: Args): Promise<Response> {
    const method = args.request.method === "HEAD" ? "GET" : args.request.method;
    const op = ops.find((o) => o.method === method);
    const requestId = newId();
    const headers: Record<string, string> = { "Cache-Control": "no-store", [REQUEST_ID_HEADER]: requestId };
    try {
      if (!op)
        throw new ApiError(
          405,
          "method_not_allowed",
          `${method} is not allowed here; use ${allow}`,
          undefined,
          { Allow: allow },
        );
      const reply = await run(op, args, headers);
      return Response.json(reply.body, {
        status: reply.status ?? 200,
        headers: { ...headers, ...reply.headers },
      });
    } catch (error) {
      const known = toApiError(error);
      if (known) {
        const response = errorResponse(known, requestId);
        for (const [k, v] of Object.entries(headers))
          if (!response.headers.has(k)) response.headers.set(k, v);
        return response;
      }
      args.context.app.logger.error({ err: error, requestId, path, method }, "API request failed");
      return errorResponse(
        new ApiError(500, "internal", `Internal error; it has been logged with request id ${requestId}`),
        requestId,
      );
    }
  }
  return { loader: handle, action: handle };
}

/** For the catch-all route: any other /api/v1 path. */
export function apiNotFound(): Response {
  return errorResponse(
    new ApiError(404, "not_found", "No such API endpoint; see /api/v1/openapi.json"),
    newId(),
  );
}
