// API operations that run on a worker: validate code, run and read backtests; and the author's execution log.
import { z } from "zod";
import { validateRequestSchema } from "../../db/contracts/jobs";
import { listAuthorExecutions } from "../../db/store/queries/author";
import { getBacktest, listBacktests } from "../../db/store/queries/backtests";
import { backtestRequestSchema } from "../../db/contracts/validation/backtest";
import { RISK_DEFAULTS_INPUT } from "../../db/contracts/validation/risk-settings";
import { plainText } from "../../db/contracts/validation/fields";
import { awaitValidation, requestBacktest, requestValidation } from "../services/author-jobs.server";
import { ApiError, notFound } from "./errors.server";
import { defineOperation } from "./operation.server";
import { pageQuerySchema } from "../page-cursor.server";
import { pageOf, toPageBody } from "./pagination.server";
import { parseOr422, patchObject } from "./parse.server";
import { requireVisibleStrategy } from "./ops-strategies.server";
import {
  acceptedSchema,
  backtestResultSchema,
  backtestSchema,
  executionSchema,
  toBacktest,
  toBacktestResult,
  toExecution,
  toValidationResult,
  validationDoneSchema,
  validationPendingSchema,
} from "./schemas.server";

const waitQuery = z.object({
  wait: z.coerce
    .number({ error: "Wait must be a number of seconds" })
    .min(0, "Wait must be at least 0")
    .max(10, "Wait must be at most 10")
    .default(5)
    .describe("Seconds to wait for the result before answering 202"),
});

const validationPoll = (id: string) => `/api/v1/validations/${id}`;

const strategyFilter = pageQuerySchema.extend({
  strategyId: plainText("Strategy").max(200).optional().describe("Only this strategy's"),
});

export const authorJobOperations = [
  defineOperation({
    operationId: "validateStrategy",
    method: "POST",
    path: "/validate",
    tag: "Validation",
    summary:
      "Run code once, sandboxed, on sample candles: the signal, or the typed error with traceback and logs",
    description:
      "Answers 200 with the result when it arrives within `wait` seconds, else 202 with a poll URL. A failing strategy is a 200 with `result.ok: false`: the request worked.",
    query: waitQuery,
    body: validateRequestSchema,
    responses: {
      200: { description: "Done: the result", schema: validationDoneSchema },
      202: { description: "Still running: poll the URL", schema: validationPendingSchema, location: true },
    },
    errors: [503],
    async handler({ context, user, query, body }) {
      const { requestId } = await requestValidation(context, user.userId, body);
      const state = await awaitValidation(context, user.userId, requestId, query.wait * 1000);
      if (state?.status === "done")
        return { body: { id: requestId, status: "done", result: toValidationResult(state.result) } };
      const poll = validationPoll(requestId);
      return { status: 202, body: { id: requestId, status: "pending", poll }, headers: { Location: poll } };
    },
  }),
  defineOperation({
    operationId: "getValidation",
    method: "GET",
    path: "/validations/{id}",
    tag: "Validation",
    summary: "The state of a validation you asked for",
    query: waitQuery.extend({ wait: waitQuery.shape.wait.default(0) }),
    responses: {
      200: { description: "Done: the result", schema: validationDoneSchema },
      202: { description: "Still running: poll again", schema: validationPendingSchema },
    },
    async handler({ context, user, params, query }) {
      const state = await awaitValidation(context, user.userId, params.id, query.wait * 1000);
      if (!state) throw notFound("Validation");
      if (state.status === "done")
        return { body: { id: params.id, status: "done", result: toValidationResult(state.result) } };
      return { status: 202, body: { id: params.id, status: "pending", poll: validationPoll(params.id) } };
    },
  }),
  defineOperation({
    operationId: "startBacktest",
    method: "POST",
    path: "/strategies/{id}/backtests",
    tag: "Backtests",
    summary:
      "Backtest a version over a period of one of its markets, with risk settings (the subscribe defaults unless given)",
    body: backtestRequestSchema,
    partialBody: true,
    responses: { 202: { description: "Queued: poll the URL", schema: acceptedSchema, location: true } },
    errors: [503],
    async handler({ context, user, params, body }) {
      const strategy = await requireVisibleStrategy(context, user.userId, params.id);
      const input = parseOr422(backtestRequestSchema, { ...RISK_DEFAULTS_INPUT, ...patchObject(body) });
      const created = await requestBacktest(context, user.userId, strategy.id, input);
      if (!created) throw notFound("Strategy");
      const poll = `/api/v1/backtests/${created.id}`;
      return { status: 202, body: { id: created.id, status: "queued", poll }, headers: { Location: poll } };
    },
  }),
  defineOperation({
    operationId: "listBacktests",
    method: "GET",
    path: "/backtests",
    tag: "Backtests",
    summary: "Backtests you ran, newest first",
    query: strategyFilter,
    responses: { 200: { description: "One page of backtests", schema: pageOf(backtestSchema) } },
    async handler({ context, user, query }) {
      const page = await listBacktests(
        context.app.store.db,
        user.userId,
        { after: query.cursor, limit: query.limit },
        query.strategyId,
      );
      return { body: toPageBody(page, toBacktest) };
    },
  }),
  defineOperation({
    operationId: "getBacktest",
    method: "GET",
    path: "/backtests/{id}",
    tag: "Backtests",
    summary: "A backtest's status, progress and stats (poll this)",
    responses: { 200: { description: "The backtest", schema: backtestSchema } },
    async handler({ context, user, params }) {
      const found = await getBacktest(context.app.store.db, user.userId, params.id);
      if (!found) throw notFound("Backtest");
      return { body: toBacktest(found) };
    },
  }),
  defineOperation({
    operationId: "getBacktestResult",
    method: "GET",
    path: "/backtests/{id}/result",
    tag: "Backtests",
    summary: "A completed backtest's stats, equity curve and trades",
    responses: { 200: { description: "The result", schema: backtestResultSchema } },
    errors: [409],
    async handler({ context, user, params }) {
      const found = await getBacktest(context.app.store.db, user.userId, params.id);
      if (!found) throw notFound("Backtest");
      if (found.status !== "completed") {
        const message =
          found.status === "failed"
            ? `The backtest failed: ${found.error ?? ""}`
            : `The backtest is ${found.status}`;
        throw new ApiError(409, "conflict", message.slice(0, 2000), { status: found.status });
      }
      return { body: toBacktestResult(found) };
    },
  }),
  defineOperation({
    operationId: "listExecutions",
    method: "GET",
    path: "/executions",
    tag: "Executions",
    summary:
      "The execution log of your strategies: timings, signal, subscribers, trades created, logs or error",
    query: strategyFilter,
    responses: { 200: { description: "One page of executions", schema: pageOf(executionSchema) } },
    async handler({ context, user, query }) {
      const page = await listAuthorExecutions(
        context.app.store.db,
        user.userId,
        { after: query.cursor, limit: query.limit },
        query.strategyId,
      );
      return { body: toPageBody(page, ({ strategySlug: _slug, ...e }) => toExecution(e)) };
    },
  }),
];
