// API operations of a subscriber: subscriptions (create, settings, pause, resume, cancel), trades and broker accounts.
import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { listSubscriptionsPage, listTradesPage } from "../../db/store/queries/api-lists";
import { listBrokerAccounts } from "../../db/store/queries/broker-accounts";
import { getSubscription, type SubscriptionAction } from "../../db/store/queries/subscriptions";
import {
  RISK_DEFAULTS_INPUT,
  riskSettingsSchema,
  riskSettingsToInput,
  subscribeSchema,
} from "../../db/contracts/validation/risk-settings";
import { plainText } from "../../db/contracts/validation/fields";
import { changeRiskSettings, changeStatus, subscribe } from "../services/subscriptions.server";
import { closeAllPositions } from "../services/kill-switch.server";
import type { CloseAllTarget } from "../../db/store/queries/kill-switch";
import { notFound } from "./errors.server";
import { defineOperation } from "./operation.server";
import { pageQuerySchema } from "../page-cursor.server";
import { pageOf, toPageBody } from "./pagination.server";
import { parseOr422, patchObject } from "./parse.server";
import {
  brokerAccountSchema,
  closeAllQueuedSchema,
  subscriptionSchema,
  toSubscription,
  toTrade,
  tradeSchema,
} from "./schemas.server";

/** The subscribe form's input plus the strategy (id or slug); risk settings default as in the form, the broker to your paper account. */
const createSubscriptionSchema = subscribeSchema.extend({
  strategyId: plainText("Strategy", { required: "Strategy is required" })
    .min(1, "Strategy is required")
    .max(200),
});

async function requireSubscription(context: AppLoadContext, userId: string, id: string) {
  const found = await getSubscription(context.app.store.db, userId, id);
  if (!found) throw notFound("Subscription");
  return found;
}

function statusOperation(action: SubscriptionAction, summary: string) {
  return defineOperation({
    operationId: `${action}Subscription`,
    method: "POST",
    path: `/subscriptions/{id}/${action}`,
    tag: "Subscriptions",
    summary,
    responses: { 200: { description: "The subscription", schema: subscriptionSchema } },
    errors: [409],
    async handler({ context, user, params }) {
      if (!(await changeStatus(context, user.userId, params.id, action))) throw notFound("Subscription");
      return { body: toSubscription((await getSubscription(context.app.store.db, user.userId, params.id))!) };
    },
  });
}

function closeAllOperation(
  operationId: string,
  resource: "subscriptions" | "broker-accounts",
  what: string,
  target: (id: string) => CloseAllTarget,
) {
  return defineOperation({
    operationId,
    method: "POST",
    path: `/${resource}/{id}/close-all`,
    tag: "Subscriptions",
    summary: `Kill switch: close every open trade of ${what} at market`,
    description:
      "Pauses the subscription(s) first (no new entries), then queues a worker job that cancels the resting stop-loss and take-profit orders and closes each open trade at market (paper trades at the latest stored price). Nothing is closed twice, however often it is sent. 503 when no worker queue is reachable: then nothing changed.",
    responses: { 202: { description: "Queued", schema: closeAllQueuedSchema } },
    errors: [503],
    async handler({ context, user, params }) {
      const queued = await closeAllPositions(context, user.userId, target(params.id));
      if (!queued) throw notFound(resource === "subscriptions" ? "Subscription" : "Broker account");
      return { status: 202, body: queued };
    },
  });
}

export const subscriptionOperations = [
  defineOperation({
    operationId: "listSubscriptions",
    method: "GET",
    path: "/subscriptions",
    tag: "Subscriptions",
    summary: "List your subscriptions, newest first",
    query: pageQuerySchema,
    responses: { 200: { description: "One page of subscriptions", schema: pageOf(subscriptionSchema) } },
    async handler({ context, user, query }) {
      const page = await listSubscriptionsPage(context.app.store.db, user.userId, {
        after: query.cursor,
        limit: query.limit,
      });
      return { body: toPageBody(page, (r) => toSubscription(r.subscription, r.strategy)) };
    },
  }),
  defineOperation({
    operationId: "createSubscription",
    method: "POST",
    path: "/subscriptions",
    tag: "Subscriptions",
    summary: "Subscribe to a public strategy with your risk settings (percent fields in percent: 1 = 1 %)",
    body: createSubscriptionSchema,
    partialBody: true,
    responses: { 201: { description: "The new subscription", schema: subscriptionSchema, location: true } },
    errors: [409],
    async handler({ context, user, body }) {
      const db = context.app.store.db;
      const raw = patchObject(body);
      const paper = (await listBrokerAccounts(db, user.userId)).find((a) => a.kind === "paper");
      const input = parseOr422(createSubscriptionSchema, {
        ...RISK_DEFAULTS_INPUT,
        ...(paper ? { brokerAccountId: paper.id } : {}),
        ...raw,
      });
      const { strategyId, ...subscribeInput } = input;
      const created = await subscribe(context, user.userId, strategyId, subscribeInput);
      return {
        status: 201,
        body: toSubscription(created),
        headers: { Location: `/api/v1/subscriptions/${created.id}` },
      };
    },
  }),
  defineOperation({
    operationId: "getSubscription",
    method: "GET",
    path: "/subscriptions/{id}",
    tag: "Subscriptions",
    summary: "Get one of your subscriptions",
    responses: { 200: { description: "The subscription", schema: subscriptionSchema } },
    async handler({ context, user, params }) {
      return { body: toSubscription(await requireSubscription(context, user.userId, params.id)) };
    },
  }),
  defineOperation({
    operationId: "updateSubscriptionSettings",
    method: "PATCH",
    path: "/subscriptions/{id}",
    tag: "Subscriptions",
    summary: "Change risk settings (the fields you send); effective from the next candle",
    body: riskSettingsSchema,
    partialBody: true,
    responses: { 200: { description: "The subscription", schema: subscriptionSchema } },
    errors: [409],
    async handler({ context, user, params, body }) {
      const current = await requireSubscription(context, user.userId, params.id);
      const patch = patchObject(body);
      const settings = parseOr422(riskSettingsSchema, { ...riskSettingsToInput(current), ...patch });
      const updated = await changeRiskSettings(context, user.userId, current, settings);
      if (!updated) throw notFound("Subscription");
      return { body: toSubscription(updated) };
    },
  }),
  statusOperation("pause", "Pause: no new trades until resumed (open positions keep their stops)"),
  statusOperation("resume", "Resume a paused subscription from the next candle"),
  statusOperation("cancel", "Cancel a subscription (final)"),
  closeAllOperation("closeAllSubscriptionPositions", "subscriptions", "one of your subscriptions", (id) => ({
    subscriptionId: id,
  })),
  closeAllOperation(
    "closeAllBrokerAccountPositions",
    "broker-accounts",
    "every subscription on one of your broker accounts",
    (id) => ({ brokerAccountId: id }),
  ),
  defineOperation({
    operationId: "listSubscriptionTrades",
    method: "GET",
    path: "/subscriptions/{id}/trades",
    tag: "Trades",
    summary: "The trades of one of your subscriptions, newest first",
    query: pageQuerySchema,
    responses: { 200: { description: "One page of trades", schema: pageOf(tradeSchema) } },
    async handler({ context, user, params, query }) {
      const sub = await requireSubscription(context, user.userId, params.id);
      const page = await listTradesPage(
        context.app.store.db,
        user.userId,
        { after: query.cursor, limit: query.limit },
        sub.id,
      );
      return { body: toPageBody(page, toTrade) };
    },
  }),
  defineOperation({
    operationId: "listTrades",
    method: "GET",
    path: "/trades",
    tag: "Trades",
    summary: "All your trades over every subscription, newest first",
    query: pageQuerySchema,
    responses: { 200: { description: "One page of trades", schema: pageOf(tradeSchema) } },
    async handler({ context, user, query }) {
      const page = await listTradesPage(context.app.store.db, user.userId, {
        after: query.cursor,
        limit: query.limit,
      });
      return { body: toPageBody(page, toTrade) };
    },
  }),
  defineOperation({
    operationId: "listBrokerAccounts",
    method: "GET",
    path: "/broker-accounts",
    tag: "Subscriptions",
    summary: "Your broker accounts (credentials are never returned)",
    responses: {
      200: { description: "Every account", schema: z.object({ items: z.array(brokerAccountSchema) }) },
    },
    async handler({ context, user }) {
      const accounts = await listBrokerAccounts(context.app.store.db, user.userId);
      return {
        body: {
          items: accounts.map(({ id, name, kind, exchange, testnet }) => ({
            id,
            name,
            kind,
            exchange,
            testnet,
          })),
        },
      };
    },
  }),
];
