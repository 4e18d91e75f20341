// The simulator's own endpoints under /__sim: switch faults on and off, read request counts.
import { z } from "zod";
import { json, routeKey, type Routes } from "./router";
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
  })
  .strict()
  .partial();

export const CONTROL_PREFIX = "/__sim/";

export function controlRoutes(state: SimState): Routes {
  return {
    [routeKey("GET", "/__sim/faults")]: () => json(state.faults),
    // Merges the given switches into the current ones; {"reset": true} style is DELETE.
    [routeKey("POST", "/__sim/faults")]: ({ body }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(body || "{}");
      } catch {
        return json({ error: "The body is not JSON." }, 400);
      }
      const parsed = faultsSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return json(
          { error: `${issue.path.join(".") || "body"}: ${issue.message}`, field: issue.path.join(".") },
          400,
        );
      }
      state.faults = { ...state.faults, ...parsed.data };
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
  };
}
