// Generates the OpenAPI 3.1 document from the operations and their zod schemas (never written by hand).
import { z } from "zod";
import { apiErrorSchema } from "./errors.server";
import { pathParams, type Operation } from "./operation.server";
import { DEFAULT_USER_LIMITS } from "../../db/contracts/user-limits";
import { MAX_BODY_BYTES } from "./parse.server";
import { formatBytes } from "../request-body.server";
import { IDEMPOTENCY_TTL_MS } from "../../db/store/queries/idempotency";
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from "./idempotency.server";

export const API_PREFIX = "/api/v1";

type JsonSchema = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "The body is not valid JSON",
  401: "No valid API token",
  403: "You may read this resource but not change it",
  404: "Not found (another user's resource is not found either)",
  405: "The path does not take this method: `Allow` lists the ones it does",
  409: "Conflicts with the resource's current state",
  413: "The body is too large",
  415: "The body is not `application/json`",
  422: "Invalid input: `error.fields` names each bad field",
  429: "Rate limit reached: retry after `Retry-After` seconds",
  500: "Our fault: logged under the request id (`X-Request-Id`, and `error.requestId` in the body)",
  503: "No worker queue is reachable from this server",
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  Account: "Who the token belongs to, and personal API tokens",
  Strategies: "Strategies' metadata: yours, and the marketplace's public ones",
  Versions: "Each strategy's published code, markets and lookback",
  Validation: "Run code once on a worker, sandboxed, before publishing it",
  Backtests: "A version over a period of history, with risk settings, on a worker",
  Executions: "The log of your strategies' runs, one per candle close",
  Subscriptions: "Your subscriptions and their risk settings, and your broker accounts",
  Trades: "Your subscriptions' trades",
  Meta: "This document",
};

const header = (description: string, schema: JsonSchema, example?: unknown) => ({
  description,
  schema: example === undefined ? schema : { ...schema, examples: [example] },
});
const HEADERS = {
  "X-Request-Id": {
    ...header(
      "This request's id (also `error.requestId` in an error's body): quote it when reporting a problem",
      { type: "string" },
      "019384a0-7c1e-7000-8000-000000000001",
    ),
    required: true,
  },
  "X-RateLimit-Limit": header(
    "Requests per minute of the limit named by X-RateLimit-Scope",
    { type: "integer" },
    DEFAULT_USER_LIMITS.apiRequestsPerMinutePerToken,
  ),
  "X-RateLimit-Scope": header(
    "Which limit the X-RateLimit-* headers describe: this token's, or all of the user's tokens together (the nearer one)",
    { type: "string", enum: ["token", "user"] },
    "token",
  ),
  "X-RateLimit-Remaining": header("Requests left in this window", { type: "integer" }, 119),
  "X-RateLimit-Reset": header("Seconds until the window resets", { type: "integer" }, 42),
  "Retry-After": header("Seconds to wait before retrying", { type: "integer" }, 42),
  Location: header("The new resource, or the URL to poll", { type: "string", format: "uri-reference" }),
  Allow: header("The methods this path takes", { type: "string" }, "GET, POST"),
  "WWW-Authenticate": header("The authentication scheme", { type: "string" }, 'Bearer realm="candlecast"'),
  [REPLAYED_HEADER]: header(
    `"true" when this is the stored answer to an earlier request with the same ${IDEMPOTENCY_HEADER}`,
    { type: "string", enum: ["true"] },
  ),
};

const IDEMPOTENCY_PARAMETER = {
  name: IDEMPOTENCY_HEADER,
  in: "header",
  required: false,
  description: `Makes a retry safe: the first answer for this key (per user, for ${IDEMPOTENCY_TTL_MS / 3600_000} h) is answered again to the same request; the same key with another method, path or body is a 409, and so is a duplicate while the first still runs. A 422 or a 5xx is not kept.`,
  schema: {
    type: "string",
    minLength: 1,
    maxLength: 255,
    pattern: "^[\\x21-\\x7e]+$",
    examples: ["3f1c2a9e-retry-1"],
  },
};
type HeaderName = keyof typeof HEADERS;

/** The headers a response of `op` with this status carries. */
function responseHeaders(op: Operation, status: number, location: boolean) {
  const names: HeaderName[] = ["X-Request-Id"];
  if (!op.public && status !== 401)
    names.push("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Scope");
  // 409: a duplicate of a request with the same Idempotency-Key that still runs.
  if (status === 429 || (status === 409 && op.method === "POST")) names.push("Retry-After");
  if (status === 401) names.push("WWW-Authenticate");
  if (location) names.push("Location");
  if (op.method === "POST" && !op.public) names.push(REPLAYED_HEADER);
  return Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));
}

/** The first instant instantField accepts (2010-01-01): marks a field as one of ours. */
const INSTANT_MIN = Date.UTC(2010, 0, 1);

/** Named schemas (`.meta({ id })`) met while converting: they become `components.schemas`. */
type Components = Record<string, JsonSchema>;

/** zod's JSON Schema, with named schemas moved into `components` and one nullable style (`type: [T, "null"]`). */
function toJsonSchema(schema: z.ZodType, io: "input" | "output", components: Components): JsonSchema {
  const {
    $schema: _drop,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>))
    components[name] ??= normalise(def) as JsonSchema;
  return normalise(rest) as JsonSchema;
}

function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== "object" || node === null) return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node))
    out[k] =
      k === "$ref" && typeof v === "string"
        ? v.replace("#/$defs/", "#/components/schemas/")
        : k === "examples" || k === "default" || k === "const" || k === "enum"
          ? v
          : normalise(v);
  return collapseNullable(out);
}

/** `anyOf: [S, {type: "null"}]` (zod's form for a described nullable) as `S` with `"null"` in its type. */
function collapseNullable(node: JsonSchema): JsonSchema {
  const options = node.anyOf as JsonSchema[] | undefined;
  if (!options || options.length !== 2) return node;
  const nullAt = options.findIndex((o) => o.type === "null" && Object.keys(o).length === 1);
  const inner = options[1 - nullAt];
  if (nullAt === -1 || typeof inner?.type !== "string") return node;
  const { anyOf: _anyOf, ...outer } = node;
  return {
    ...inner,
    ...outer,
    type: [inner.type, "null"],
    ...(Array.isArray(inner.enum) ? { enum: [...(inner.enum as unknown[]), null] } : {}),
  };
}

/**
 * The request body's schema. JSON Schema generation cannot tell required from defaulted behind a
 * preprocess, so `required` is what the zod schema itself refuses to miss (or the operation's list).
 */
function bodySchema(op: Operation, components: Components): JsonSchema {
  const schema = toJsonSchema(op.body!, "input", components);
  const shape = (op.body as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return schema;
  let required = Object.keys(shape).filter((k) => !shape[k].safeParse(undefined).success);
  const patch = op.method === "PATCH" && Boolean(op.partialBody);
  if (patch) required = [];
  else if (op.partialBody)
    required = required.filter((k) => REQUIRED_WITH_DEFAULTS[op.operationId]?.includes(k) ?? true);
  const { required: _generated, ...generated } = schema;
  const properties = generated.properties as Record<string, JsonSchema> | undefined;
  const rest = {
    ...generated,
    ...(properties
      ? {
          properties: Object.fromEntries(
            Object.entries(properties).map(([k, p]) => [k, fieldSchema(p, patch)]),
          ),
        }
      : {}),
  };
  // The dispatcher answers 422 to a field the schema does not declare.
  const closed = { ...rest, additionalProperties: false };
  return required.length ? { ...closed, required } : closed;
}

/**
 * A PATCH field has no default (a client filling defaults in would reset what it never meant to
 * change, e.g. unpublish a strategy), and an instant is what the server accepts: epoch ms or ISO text.
 */
function fieldSchema(property: JsonSchema, patch: boolean): JsonSchema {
  const { default: _default, ...withoutDefault } = property;
  const field = patch ? withoutDefault : property;
  if (field.type !== "integer" || field.minimum !== INSTANT_MIN) return field;
  const { type: _type, minimum: _min, maximum: _max, ...meta } = field;
  return {
    ...meta,
    anyOf: [
      {
        type: "integer",
        format: "int64",
        minimum: field.minimum,
        maximum: field.maximum,
        description: "UTC epoch milliseconds",
      },
      { type: "string", format: "date", example: "2024-01-31" },
      { type: "string", format: "date-time", example: "2024-01-31T12:00:00Z" },
    ],
  };
}

/** POST bodies merged over defaults (risk settings, your paper account): only these must be sent. */
const REQUIRED_WITH_DEFAULTS: Record<string, string[]> = {
  createSubscription: ["strategyId"],
  startBacktest: ["symbol", "from", "to"],
};

function queryParameters(op: Operation, components: Components) {
  if (!op.query) return [];
  const schema = toJsonSchema(op.query, "input", components) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: "query",
      required: schema.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function errorStatuses(op: Operation): number[] {
  const statuses = new Set<number>(op.errors ?? []);
  if (!op.public) [401, 429].forEach((s) => statuses.add(s));
  if (op.method === "POST") statuses.add(409);
  if (pathParams(op.path).length) statuses.add(404);
  if (op.query || op.body) statuses.add(422);
  if (op.body) [400, 413, 415].forEach((s) => statuses.add(s));
  return [...statuses].sort((a, b) => a - b);
}

const ERROR_CONTENT = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

function operationObject(op: Operation, components: Components) {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(op.responses)) {
    responses[status] = {
      description: spec.description,
      headers: responseHeaders(op, Number(status), Boolean(spec.location)),
      ...(spec.schema
        ? { content: { "application/json": { schema: toJsonSchema(spec.schema, "output", components) } } }
        : {}),
    };
  }
  responses["405"] = { $ref: "#/components/responses/MethodNotAllowed" };
  for (const status of [...errorStatuses(op), 500]) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? "Error",
      headers: responseHeaders(op, status, false),
      content: ERROR_CONTENT,
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: op.description ?? `${op.summary}.`,
    tags: [op.tag],
    security: op.public ? [] : [{ bearerAuth: [] }],
    parameters: [
      ...pathParams(op.path).map((name) => ({
        name,
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...queryParameters(op, components),
      ...(op.method === "POST" ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : []),
    ],
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: bodySchema(op, components) } },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApi(operations: Operation[]) {
  const components: Components = {};
  toJsonSchema(apiErrorSchema, "output", components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = `${API_PREFIX}${op.path}`;
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = operationObject(op, components);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Candlecast API",
      version: "1.0.0",
      description: [
        "Upload, validate, version and backtest strategies; subscribe, change settings, pause, resume and cancel; read executions and trades.",
        "Authenticate with a personal API token from /settings/tokens: `Authorization: Bearer <token>`.",
        `Each token may send ${DEFAULT_USER_LIMITS.apiRequestsPerMinutePerToken} requests per minute, and all of a user's tokens together ${DEFAULT_USER_LIMITS.apiRequestsPerMinutePerUser} (the defaults; X-RateLimit-* headers, X-RateLimit-Scope saying which limit they describe; 429 with Retry-After beyond).`,
        'Errors always look like `{"error":{"code":"…","message":"…","fields":{"name":"message"},"requestId":"…"}}`.',
        `Bodies are JSON (\`Content-Type: application/json\`; another type is a 415) of at most ${formatBytes(MAX_BODY_BYTES)} (413, chunked bodies included). A field the operation does not declare is a 422 naming it; text holding a control character (U+0000-U+001F, U+007F-U+009F; code, description and changelog may hold tabs and line breaks) is a 422 naming the field.`,
        "Lists are paginated: pass the previous page's `nextCursor` as `cursor`. Times are UTC epoch milliseconds; money is in the market's quote currency; percent fields are in percent (1 = 1 %), fractions say so. Enum values are lowercase.",
        "Every answer carries an `X-Request-Id` header (and an error's body `error.requestId`). A method a path does not take is a 405 with `Allow`.",
      ].join("\n\n"),
    },
    servers: [{ url: "/" }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({
      name,
      description: TAG_DESCRIPTIONS[name],
    })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "A personal API token (cc_…)" },
      },
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      headers: HEADERS,
      parameters: { IdempotencyKey: IDEMPOTENCY_PARAMETER },
      responses: {
        MethodNotAllowed: {
          description: ERROR_DESCRIPTIONS[405],
          headers: {
            "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" },
            Allow: { $ref: "#/components/headers/Allow" },
          },
          content: ERROR_CONTENT,
        },
      },
    },
  };
}
export type OpenApiDocument = ReturnType<typeof buildOpenApi>;
