// The simulator's own endpoints under /__sim: faults on and off, request counts, accounts and a dump of orders.
import { z } from "zod";
import { accountInputSchema, upsertAccount } from "./accounts";
import { checkRestingOrders } from "./binance-orders";
import { isSimResponse, json, routeKey, type Routes, type SimResponse } from "./router";
import { NO_FAULTS, type SimState } from "./state";

const count = z.number().int().min(0);
const faultsSchema = z
  .object({
    latencyMs: count,
    fail5xx: count,
    rateLimit: count,
    lateMs: count,
    gaps: z.array(
      z.object({ symbol: z.string().optional(), from: z.number().int(), to: z.number().int() }).strict(),
    ),
    orderLatencyMs: count,
    dropAfterExecute: z
      .object({
        next: count.default(0),
        fraction: z.number().min(0).max(1).default(0),
        delayMs: count.default(0),
      })
      .strict(),
    fail5xxBeforeExecute: count,
    reject: z
      .object({
        next: count,
        code: z.number().int().max(-1),
        msg: z.string().min(1).max(200).default(NO_FAULTS.reject.msg),
      })
      .strict(),
  })
  .strict()
  .partial();

export const CONTROL_PREFIX = "/__sim/";

/** A JSON body checked by a schema, or the 400 naming the first bad field. */
function parseBody<T>(body: string, schema: z.ZodType<T, unknown>): T | SimResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(body || "{}");
  } catch {
    return json({ error: "The body is not JSON." }, 400);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.join(".");
  return json({ error: `${field || "body"}: ${issue.message}`, field }, 400);
}

export function controlRoutes(state: SimState): Routes {
  return {
    [routeKey("GET", "/__sim/faults")]: () => json(state.faults),
    // Merges the given switches into the current ones; DELETE switches everything off.
    [routeKey("POST", "/__sim/faults")]: ({ body }) => {
      const faults = parseBody(body, faultsSchema);
      if (isSimResponse(faults)) return faults;
      state.faults = { ...state.faults, ...faults };
      return json(state.faults);
    },
    [routeKey("DELETE", "/__sim/faults")]: () => {
      state.faults = { ...NO_FAULTS };
      return json(state.faults);
    },
    [routeKey("GET", "/__sim/stats")]: () => json({ requests: state.requests }),
    [routeKey("DELETE", "/__sim/stats")]: () => {
      state.requests = {};
      return json({ requests: state.requests });
    },
    [routeKey("POST", "/__sim/accounts")]: ({ body }) => {
      const input = parseBody(body, accountInputSchema);
      if (isSimResponse(input)) return input;
      const account = upsertAccount(state.ledger, input);
      state.ledgerChanged();
      return json({ apiKey: account.apiKey, balances: account.balances });
    },
    // Everything each account holds and did, for tests to compare with what a client recorded.
    [routeKey("GET", "/__sim/orders")]: () => {
      checkRestingOrders(state);
      const { accounts, orders, lists, fills } = state.ledger;
      return json({
        accounts: Object.values(accounts).map(({ apiKey, balances }) => ({
          apiKey,
          balances,
          orders: orders.filter((o) => o.apiKey === apiKey),
          lists: lists.filter((l) => l.apiKey === apiKey),
          fills: fills.filter((f) => f.apiKey === apiKey),
        })),
      });
    },
  };
}
