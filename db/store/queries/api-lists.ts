// Paginated, user-scoped lists the REST API serves: a subscriber's subscriptions and trades.
import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { strategies, subscriptions, trades } from "../schema";
import { afterKey, newestFirst, toPage, type PageRequest } from "./keyset";

export async function listSubscriptionsPage(db: Db, userId: string, page: PageRequest) {
  const rows = await db
    .select({ subscription: subscriptions, strategy: { name: strategies.name, slug: strategies.slug } })
    .from(subscriptions)
    .innerJoin(strategies, eq(strategies.id, subscriptions.strategyId))
    .where(
      and(eq(subscriptions.userId, userId), afterKey(subscriptions.createdAt, subscriptions.id, page.after)),
    )
    .orderBy(...newestFirst(subscriptions.createdAt, subscriptions.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => ({ t: r.subscription.createdAt, id: r.subscription.id }));
}

/** The user's trades (of one subscription when given), newest opened first. */
export async function listTradesPage(db: Db, userId: string, page: PageRequest, subscriptionId?: string) {
  const rows = await db
    .select()
    .from(trades)
    .where(
      and(
        eq(trades.userId, userId),
        subscriptionId ? eq(trades.subscriptionId, subscriptionId) : undefined,
        afterKey(trades.openedAt, trades.id, page.after),
      ),
    )
    .orderBy(...newestFirst(trades.openedAt, trades.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => ({ t: r.openedAt, id: r.id }));
}
