// Author job payloads shared by the web app (send) and the worker (work), and their result payloads.
// The queues themselves (names, policies) are in ./queues-and-channels.ts.
import { z } from "zod";
import {
  AUTHOR_TIME_BUDGET,
  RUNTIME_ERROR_KINDS,
  resolutionSchema,
  signalSchema,
  symbolSchema,
} from "./domain";
import { QUEUES, type WebSentQueueName } from "./queues-and-channels";
import { strategyVersionSchema } from "./validation/strategy";

/** Runs a strategy's code once, sandboxed, on sample candles; the result comes back as a "validation.result" event. */
export const validateStrategyJobSchema = z.object({
  requestId: z.string().min(1),
  userId: z.string().min(1),
  code: strategyVersionSchema.shape.code,
  params: strategyVersionSchema.shape.params,
  symbol: symbolSchema.optional(),
  resolution: resolutionSchema.optional(),
});
export type ValidateStrategyJob = z.infer<typeof validateStrategyJobSchema>;

/** Runs a queued backtest row; everything else (version, period, settings) is read from the store. */
export const runBacktestJobSchema = z.object({ backtestId: z.string().min(1) });
export type RunBacktestJob = z.infer<typeof runBacktestJobSchema>;

/**
 * The kill switch (ADR 148): close every open trade of these subscriptions (one broker account's) at market.
 * The job's id is `requestId`, so the same request queued twice is one job.
 */
export const closeAllJobSchema = z.object({
  requestId: z.uuid(),
  userId: z.string().min(1),
  brokerAccountId: z.string().min(1),
  subscriptionIds: z.array(z.string().min(1)).min(1),
  /** When the web app paused them (epoch ms): an execution that started before may still open a trade. */
  pausedAt: z.number().int(),
});
export type CloseAllJob = z.infer<typeof closeAllJobSchema>;

export const JOB_PAYLOAD_SCHEMAS = {
  [QUEUES.validateStrategy]: validateStrategyJobSchema,
  [QUEUES.runBacktest]: runBacktestJobSchema,
  [QUEUES.positionsCloseAll]: closeAllJobSchema,
} as const satisfies Record<WebSentQueueName, z.ZodType>;

/** What the web app may do with the queue: enqueue. Null where no queue is reachable (web-only without Postgres). */
export interface JobSender {
  send(name: WebSentQueueName, payload: unknown): Promise<string | null>;
}

const runtimeErrorSchema = z.object({
  kind: z.enum([...RUNTIME_ERROR_KINDS, AUTHOR_TIME_BUDGET, "internal"]),
  message: z.string(),
  traceback: z.string(),
  logs: z.array(z.string()),
});

/** Payload of a "validation.result" event, to the user who asked. */
export const validationResultSchema = z.discriminatedUnion("ok", [
  z.object({
    requestId: z.string(),
    ok: z.literal(true),
    signal: signalSchema,
    /** Signals per action over the sample history (a backtest of the same code on the same candles). */
    actions: z.record(z.string(), z.number().int()),
    candles: z.number().int(),
    logs: z.array(z.string()),
    /** Declared `lookback` of the strategy class, when it could be read. */
    lookback: z.number().int().nullable(),
    ms: z.number(),
  }),
  z.object({ requestId: z.string(), ok: z.literal(false), error: runtimeErrorSchema, ms: z.number() }),
]);
export type ValidationResult = z.infer<typeof validationResultSchema>;

/** What an author (form or API) asks to validate: the job payload without who asked and the request id. */
export const validateRequestSchema = validateStrategyJobSchema.omit({ requestId: true, userId: true });
export type ValidateRequest = z.infer<typeof validateRequestSchema>;
