// Generates the OpenAPI 3.1 document from the operations and their zod schemas (never written by hand).
import { z } from "zod";
import { apiErrorSchema } from "./errors.server";
import { pathParams, type Operation } from "./operation.server";
import { DEFAULT_USER_LIMITS } from "../../db/contracts/user-limits";
import { MAX_BODY_BYTES } from "./parse.server";
import { formatBytes } from "../request-body.server";

export const API_PREFIX = "/api/v1";

type JsonSchema = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "The body is not valid JSON",
  401: "No valid API token",
  403: "You may read this resource but not change it",
  404: "Not found (another user's resource is not found either)",
  405: "Method not allowed",
  409: "Conflicts with the resource's current state",
  413: "The body is too large",
  415: "The body is not `application/json`",
  422: "Invalid input: `error.fields` names each bad field",
  429: "Rate limit reached: retry after `Retry-After` seconds",
  503: "No worker queue is reachable from this server",
};

/** The first instant instantField accepts (2010-01-01): marks a field as one of ours. */
const INSTANT_MIN = Date.UTC(2010, 0, 1);

function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/**
 * The request body's schema. JSON Schema generation cannot tell required from defaulted behind a
 * preprocess, so `required` is what the zod schema itself refuses to miss (or the operation's list).
 */
function bodySchema(op: Operation): JsonSchema {
  const schema = toJsonSchema(op.body!, "input");
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
    oneOf: [
      {
        type: "integer",
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

function queryParameters(op: Operation) {
  if (!op.query) return [];
  const schema = toJsonSchema(op.query, "input") as {
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
  if (pathParams(op.path).length) statuses.add(404);
  if (op.query || op.body) statuses.add(422);
  if (op.body) [400, 413, 415].forEach((s) => statuses.add(s));
  return [...statuses].sort((a, b) => a - b);
}

function operationObject(op: Operation) {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(op.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema
        ? { content: { "application/json": { schema: toJsonSchema(spec.schema, "output") } } }
        : {}),
    };
  }
  for (const status of errorStatuses(op)) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? "Error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: op.public ? [] : [{ bearerAuth: [] }],
    parameters: [
      ...pathParams(op.path).map((name) => ({
        name,
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...queryParameters(op),
    ],
    ...(op.body
      ? { requestBody: { required: true, content: { "application/json": { schema: bodySchema(op) } } } }
      : {}),
    responses,
  };
}

export function buildOpenApi(operations: Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = `${API_PREFIX}${op.path}`;
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = operationObject(op);
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
        'Errors always look like `{"error":{"code":"…","message":"…","fields":{"name":"message"}}}`.',
        `Bodies are JSON (\`Content-Type: application/json\`; another type is a 415) of at most ${formatBytes(MAX_BODY_BYTES)} (413, chunked bodies included). A field the operation does not declare is a 422 naming it; text holding a control character (U+0000-U+001F, U+007F-U+009F; code, description and changelog may hold tabs and line breaks) is a 422 naming the field.`,
        "Lists are paginated: pass the previous page's `nextCursor` as `cursor`. Times are UTC epoch milliseconds.",
      ].join("\n\n"),
    },
    servers: [{ url: "/" }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "A personal API token (cc_…)" },
      },
      schemas: { Error: toJsonSchema(apiErrorSchema, "output") },
    },
  };
}
export type OpenApiDocument = ReturnType<typeof buildOpenApi>;
