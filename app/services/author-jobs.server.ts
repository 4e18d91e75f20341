// Asking the worker for a validation or a backtest (API and author pages alike), and waiting briefly for a validation's result.
import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import type { Db } from "../../db/store/client";
import { newId } from "../../db/platform/ids";
import { validationResultSchema, type ValidateRequest, type ValidationResult } from "../../db/contracts/jobs";
import { QUEUES } from "../../db/contracts/queues-and-channels";
import { findValidationResult, latestEventSeq } from "../../db/store/queries/author";
import { createBacktest, deleteBacktest } from "../../db/store/queries/backtests";
import type { BacktestRequest } from "../../db/contracts/validation/backtest";

/** No worker queue is reachable from this web server: validations, backtests and the kill switch cannot be asked for. */
export class JobsUnavailableError extends Error {
  constructor(what = "validations and backtests are unavailable") {
    super(
      `No worker queue is reachable from this web server (set POSTGRES_URL, or run the embedded mode): ${what}`,
    );
  }
}

const TICKET_TTL_MS = 3_600_000;
const POLL_MS = 250;
const ticketSchema = z.object({ userId: z.string(), afterSeq: z.number().int() });
const ticketKey = (requestId: string) => `validation:${requestId}`;

function jobsOf(context: AppLoadContext) {
  const jobs = context.app.jobs;
  if (!jobs) {
    throw new JobsUnavailableError();
  }
  return jobs;
}

/** Queues a validation of the user's code; the result arrives as a "validation.result" event. */
export async function requestValidation(context: AppLoadContext, userId: string, input: ValidateRequest) {
  const jobs = jobsOf(context);
  const { store, infra } = context.app;
  const requestId = newId();
  // The ticket bounds the result look-up to newer events and makes another user's request id unknown.
  await infra.cache.setJson(
    ticketKey(requestId),
    { userId, afterSeq: await latestEventSeq(store.db) },
    TICKET_TTL_MS,
  );
  await jobs.send(QUEUES.validateStrategy, { requestId, userId, ...input });
  return { requestId };
}

export type ValidationState = { status: "done"; result: ValidationResult } | { status: "pending" };

async function storedResult(db: Db, userId: string, requestId: string, afterSeq: number) {
  const found = await findValidationResult(db, userId, requestId, afterSeq);
  const parsed = found === null ? null : validationResultSchema.safeParse(found);
  return parsed?.success ? parsed.data : null;
}

/**
 * The result of the user's validation, waiting up to `waitMs` for it: the bus delivers it at once, and a
 * poll of the outbox covers a web server the worker's bus does not reach. Null for an unknown request.
 */
export async function awaitValidation(
  context: AppLoadContext,
  userId: string,
  requestId: string,
  waitMs: number,
): Promise<ValidationState | null> {
  const { store, infra, events } = context.app;
  const ticket = await infra.cache.getJson(ticketKey(requestId), ticketSchema);
  if (!ticket || ticket.userId !== userId) return null;

  let disconnect = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fromBus = new Promise<ValidationResult>((resolve) => {
    disconnect = events.connect(userId, (e) => {
      if (e.type !== "validation.result") return;
      const parsed = validationResultSchema.safeParse(e.payload);
      if (parsed.success && parsed.data.requestId === requestId) resolve(parsed.data);
    });
  });
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const stored = await storedResult(store.db, userId, requestId, ticket.afterSeq);
      if (stored) return { status: "done", result: stored };
      const left = deadline - Date.now();
      if (left <= 0) return { status: "pending" };
      const tick = new Promise<null>(
        (resolve) => (timer = setTimeout(() => resolve(null), Math.min(POLL_MS, left))),
      );
      const result = await Promise.race([fromBus, tick]);
      clearTimeout(timer);
      if (result) return { status: "done", result };
    }
  } finally {
    clearTimeout(timer);
    disconnect();
  }
}

/**
 * Queues a backtest row and its job. The row is checked first (a bad field is named even when no queue
 * is reachable) and removed again when the job cannot be queued.
 */
export async function requestBacktest(
  context: AppLoadContext,
  userId: string,
  strategyId: string,
  input: BacktestRequest,
) {
  const db = context.app.store.db;
  const created = await createBacktest(db, userId, strategyId, input, {
    marketSource: context.app.config.marketData.source,
  });
  if (!created) return null;
  try {
    await jobsOf(context).send(QUEUES.runBacktest, { backtestId: created.id });
  } catch (error) {
    await deleteBacktest(db, created.id);
    throw error;
  }
  return created;
}
