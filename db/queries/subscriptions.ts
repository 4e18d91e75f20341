// Subscriptions: the subscriber's own (user-scoped) and the worker's fan-out read by strategy.
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../ids";
import { brokerAccounts, strategies, subscriptions, trades } from "../schema";
import type { RiskSettings, SubscribeInput } from "../validation/risk-settings";
import { refreshSubscriberCountSql } from "./strategies";

export class InvalidReferenceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export async function createSubscription(db: Db, userId: string, strategyId: string, input: SubscribeInput) {
  const [strategy, broker] = await Promise.all([
    db.query.strategies.findFirst({
      where: and(eq(strategies.id, strategyId), eq(strategies.visibility, "public")),
      columns: { id: true, latestVersionId: true },
    }),
    db.query.brokerAccounts.findFirst({
      where: and(eq(brokerAccounts.id, input.brokerAccountId), eq(brokerAccounts.userId, userId)),
      columns: { id: true },
    }),
  ]);
  if (!strategy || !strategy.latestVersionId) {
    throw new InvalidReferenceError("strategyId", "This strategy is not available for subscription");
  }
  if (!broker) throw new InvalidReferenceError("brokerAccountId", "Choose one of your broker accounts");
  const id = newId();
  await db.batch([
    db.insert(subscriptions).values({ id, userId, strategyId, ...input }),
    db.run(refreshSubscriberCountSql(strategyId)),
  ]);
  return { id };
}

export async function getSubscription(db: Db, userId: string, subscriptionId: string) {
  return db.query.subscriptions.findFirst({
    where: and(eq(subscriptions.id, subscriptionId), eq(subscriptions.userId, userId)),
  });
}

export async function listSubscriptions(db: Db, userId: string) {
  return db
    .select({
      subscription: subscriptions,
      strategy: { name: strategies.name, slug: strategies.slug, resolution: strategies.resolution },
    })
    .from(subscriptions)
    .innerJoin(strategies, eq(strategies.id, subscriptions.strategyId))
    .where(eq(subscriptions.userId, userId))
    .orderBy(desc(subscriptions.createdAt));
}

/** New settings apply from the next candle: the worker reads them fresh for every execution. */
export async function updateRiskSettings(
  db: Db,
  userId: string,
  subscriptionId: string,
  settings: RiskSettings,
) {
  const rows = await db
    .update(subscriptions)
    .set({ ...settings, updatedAt: Date.now() })
    .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.userId, userId)))
    .returning({ id: subscriptions.id, strategyId: subscriptions.strategyId, status: subscriptions.status });
  return rows[0] ?? null;
}

const TRANSITIONS = {
  pause: { from: ["active"], to: "paused" },
  resume: { from: ["paused"], to: "active" },
  cancel: { from: ["active", "paused"], to: "cancelled" },
} as const;
export type SubscriptionAction = keyof typeof TRANSITIONS;

/** Pause, resume or cancel. Returns null for another user's id; `changed: false` when not allowed from the current status. */
export async function changeSubscriptionStatus(
  db: Db,
  userId: string,
  subscriptionId: string,
  action: SubscriptionAction,
) {
  const { from, to } = TRANSITIONS[action];
  const now = Date.now();
  const rows = await db
    .update(subscriptions)
    .set({
      status: to,
      updatedAt: now,
      ...(to === "paused" ? { pausedAt: now } : {}),
      ...(to === "active" ? { pausedAt: null } : {}),
      ...(to === "cancelled" ? { cancelledAt: now } : {}),
    })
    .where(
      and(
        eq(subscriptions.id, subscriptionId),
        eq(subscriptions.userId, userId),
        inArray(subscriptions.status, [...from]),
      ),
    )
    .returning({ id: subscriptions.id, strategyId: subscriptions.strategyId, status: subscriptions.status });
  if (rows[0]) {
    if (to === "cancelled") await db.run(refreshSubscriberCountSql(rows[0].strategyId));
    return { changed: true as const, ...rows[0] };
  }
  const existing = await getSubscription(db, userId, subscriptionId);
  return existing
    ? { changed: false as const, id: existing.id, strategyId: existing.strategyId, status: existing.status }
    : null;
}

/** The subscriber's trades on one subscription, newest first. */
export async function listSubscriptionTrades(db: Db, userId: string, subscriptionId: string, limit = 100) {
  return db
    .select()
    .from(trades)
    .where(and(eq(trades.subscriptionId, subscriptionId), eq(trades.userId, userId)))
    .orderBy(desc(trades.openedAt))
    .limit(limit);
}

/**
 * The worker's fan-out read: every active subscription of a strategy with its open positions on
 * the symbol. Not a tenant query: it serves all the strategy's subscribers at once by design.
 */
export async function listActiveSubscriptionsForStrategy(db: Db, strategyId: string) {
  return db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.strategyId, strategyId), eq(subscriptions.status, "active")));
}

export async function listOpenTradesForStrategy(db: Db, strategyId: string) {
  return db
    .select()
    .from(trades)
    .where(and(eq(trades.strategyId, strategyId), eq(trades.status, "open")));
}
