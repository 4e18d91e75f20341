// Subscriptions: the subscriber's own (user-scoped) and the worker's fan-out read by strategy.
import { and, asc, desc, eq, gte, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../../platform/ids";
import { brokerAccounts, executions, strategies, strategyVersions, subscriptions, trades } from "../schema";
import type { RiskSettings, SubscribeInput } from "../../contracts/validation/risk-settings";
import { SIMULATED_EXCHANGE_REFUSAL, sendsExchangeOrders } from "../../contracts/domain";
import { afterKey, newestFirst, toPage, type PageRequest } from "./keyset";
import { refreshSubscriberCountSql } from "./strategies";

export class InvalidReferenceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The user already holds the most subscriptions they may (cancelled ones do not count): cancel one first. */
export class SubscriptionLimitError extends Error {
  readonly field = "strategyId";
  constructor(readonly limit: number) {
    super(`You already have ${limit} subscriptions: cancel one you no longer follow first`);
  }
}

export async function createSubscription(
  db: Db,
  userId: string,
  strategyId: string,
  input: SubscribeInput,
  opts: { marketSource: string; maxSubscriptions: number },
) {
  const [strategy, broker, pinned] = await Promise.all([
    db.query.strategies.findFirst({
      where: and(eq(strategies.id, strategyId), eq(strategies.visibility, "public")),
      columns: { id: true, latestVersionId: true },
    }),
    db.query.brokerAccounts.findFirst({
      where: and(eq(brokerAccounts.id, input.brokerAccountId), eq(brokerAccounts.userId, userId)),
      columns: { id: true, kind: true },
    }),
    input.pinnedVersionId
      ? db.query.strategyVersions.findFirst({
          where: and(
            eq(strategyVersions.id, input.pinnedVersionId),
            eq(strategyVersions.strategyId, strategyId),
            eq(strategyVersions.status, "published"),
          ),
          columns: { id: true },
        })
      : undefined,
  ]);
  if (!strategy || !strategy.latestVersionId) {
    throw new InvalidReferenceError("strategyId", "This strategy is not available for subscription");
  }
  if (!broker) throw new InvalidReferenceError("brokerAccountId", "Choose one of your broker accounts");
  if (broker.kind === "exchange" && !sendsExchangeOrders(opts.marketSource)) {
    throw new InvalidReferenceError("brokerAccountId", SIMULATED_EXCHANGE_REFUSAL);
  }
  if (input.pinnedVersionId && !pinned) {
    throw new InvalidReferenceError("pinnedVersionId", "Choose a published version of this strategy");
  }
  const id = newId();
  // One transaction: the insert is undone when it took the user past the cap, so concurrent subscribes
  // (the store has one writer at a time) cannot pass it together.
  const [, overCap] = await db.batch([
    db.insert(subscriptions).values({ id, userId, strategyId, ...input }),
    db.run(sql`
      DELETE FROM subscriptions WHERE id = ${id}
      AND (SELECT count(*) FROM subscriptions WHERE user_id = ${userId} AND status != 'cancelled') > ${opts.maxSubscriptions}`),
    db.run(refreshSubscriberCountSql(strategyId)),
  ]);
  if (overCap.rowsAffected > 0) throw new SubscriptionLimitError(opts.maxSubscriptions);
  return { id };
}

export async function getSubscription(db: Db, userId: string, subscriptionId: string) {
  return db.query.subscriptions.findFirst({
    where: and(eq(subscriptions.id, subscriptionId), eq(subscriptions.userId, userId)),
  });
}

/** One page of the user's subscriptions, newest first, with their open positions. */
export async function listSubscriptions(db: Db, userId: string, page: PageRequest) {
  const rows = await db
    .select({
      subscription: subscriptions,
      strategy: {
        name: strategies.name,
        slug: strategies.slug,
        resolution: strategies.resolution,
        symbols: strategies.symbols,
      },
      openPositions: sql<number>`(SELECT count(*) FROM trades t WHERE t.subscription_id = ${subscriptions.id} AND t.status = 'open')`,
    })
    .from(subscriptions)
    .innerJoin(strategies, eq(strategies.id, subscriptions.strategyId))
    .where(
      and(eq(subscriptions.userId, userId), afterKey(subscriptions.createdAt, subscriptions.id, page.after)),
    )
    .orderBy(...newestFirst(subscriptions.createdAt, subscriptions.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => ({ t: r.subscription.createdAt, id: r.subscription.id }));
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

/** The subscription with its strategy and the version it runs (the pinned one, else the latest). */
export async function getSubscriptionDetail(db: Db, userId: string, subscriptionId: string) {
  const rows = await db
    .select({
      subscription: subscriptions,
      strategy: {
        id: strategies.id,
        name: strategies.name,
        slug: strategies.slug,
        resolution: strategies.resolution,
        symbols: strategies.symbols,
      },
      version: { id: strategyVersions.id, version: strategyVersions.version },
      broker: { id: brokerAccounts.id, name: brokerAccounts.name, kind: brokerAccounts.kind },
    })
    .from(subscriptions)
    .innerJoin(strategies, eq(strategies.id, subscriptions.strategyId))
    .innerJoin(brokerAccounts, eq(brokerAccounts.id, subscriptions.brokerAccountId))
    .leftJoin(
      strategyVersions,
      eq(strategyVersions.id, sql`coalesce(${subscriptions.pinnedVersionId}, ${strategies.latestVersionId})`),
    )
    .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.userId, userId)))
    .limit(1);
  return rows[0];
}

/** Realised P&L of every closed trade in close order: the equity curve's points. */
export async function listClosedTradePnl(db: Db, userId: string, subscriptionId: string) {
  return db
    .select({ closedAt: trades.closedAt, pnl: trades.pnl })
    .from(trades)
    .where(
      and(eq(trades.subscriptionId, subscriptionId), eq(trades.userId, userId), eq(trades.status, "closed")),
    )
    .orderBy(asc(trades.closedAt), asc(trades.id));
}

/**
 * The strategy's executions since this subscription started, newest first, each with what it did
 * for this subscription (its trade row: opened, skipped with a reason, or none for HOLD).
 */
export async function listSubscriptionSignals(db: Db, userId: string, subscriptionId: string, limit = 20) {
  const sub = await getSubscription(db, userId, subscriptionId);
  if (!sub) return [];
  return db
    .select({
      executionId: executions.id,
      closeTime: executions.closeTime,
      symbol: executions.symbol,
      status: executions.status,
      signal: executions.signal,
      price: executions.price,
      errorMessage: executions.errorMessage,
      tradeStatus: trades.status,
      tradeReason: trades.reason,
      tradeSide: trades.side,
    })
    .from(executions)
    .leftJoin(trades, and(eq(trades.executionId, executions.id), eq(trades.subscriptionId, subscriptionId)))
    .where(
      and(
        eq(executions.strategyId, sub.strategyId),
        // Close times may run on a scaled clock (TIME_SCALE): the wall-clock start counts too.
        or(
          isNotNull(trades.id),
          gte(executions.closeTime, sub.createdAt),
          gte(executions.startedAt, sub.createdAt),
        ),
        inArray(executions.status, ["COMPLETED", "FAILED", "SKIPPED"]),
      ),
    )
    .orderBy(desc(executions.closeTime))
    .limit(limit);
}
