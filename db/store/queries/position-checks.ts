// The positions check's reads and writes (ADR 147): what exchange accounts trade, what their open trades
// and undecided orders say, each (account, asset)'s last check, and the differences the pages show.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { brokerAccounts, orders, positionChecks, subscriptions, trades } from "../schema";
import type { OrderState } from "../../contracts/order-states";

export type PositionCheckRow = typeof positionChecks.$inferSelect;

/**
 * Orders whose effect on the balances the store may not know yet: being sent, undecided, or partly filled.
 * A resting `open` order (a protective leg) has moved nothing until it fills.
 */
const IN_FLIGHT: OrderState[] = ["pending", "sent", "unknown", "partially_filled"];

/** Every exchange account that has open trades or subscriptions not cancelled, with the symbols of both. */
export async function listExchangeAccountsToCheck(db: Db): Promise<{ id: string; symbols: string[] }[]> {
  const rows = await db.all<{ account: string; symbol: string }>(sql`
    SELECT s.broker_account_id AS account, t.symbol AS symbol
      FROM trades t
      JOIN subscriptions s ON s.id = t.subscription_id
      JOIN broker_accounts b ON b.id = s.broker_account_id
     WHERE b.kind = 'exchange' AND t.status = 'open'
    UNION
    SELECT s.broker_account_id, ss.symbol
      FROM subscriptions s
      JOIN strategy_symbols ss ON ss.strategy_id = s.strategy_id
      JOIN broker_accounts b ON b.id = s.broker_account_id
     WHERE b.kind = 'exchange' AND s.status != 'cancelled'
     ORDER BY 1, 2`);
  const bySymbol = new Map<string, string[]>();
  for (const r of rows) bySymbol.set(r.account, [...(bySymbol.get(r.account) ?? []), r.symbol]);
  return [...bySymbol].map(([id, symbols]) => ({ id, symbols }));
}

export interface AccountBook {
  open: { symbol: string; side: "LONG" | "SHORT"; quantity: number }[];
  /** Symbols with an order whose outcome is not recorded yet. */
  inFlight: string[];
}

/** The account's open trades and the symbols of its in-flight orders, as the store has them now. */
export async function readAccountBook(db: Db, accountId: string): Promise<AccountBook> {
  const [open, inFlight] = await Promise.all([
    db
      .select({ symbol: trades.symbol, side: trades.side, quantity: trades.quantity })
      .from(trades)
      .innerJoin(subscriptions, eq(subscriptions.id, trades.subscriptionId))
      .where(and(eq(subscriptions.brokerAccountId, accountId), eq(trades.status, "open")))
      .orderBy(asc(trades.id)),
    db
      .selectDistinct({ symbol: orders.symbol })
      .from(orders)
      .where(and(eq(orders.brokerAccountId, accountId), inArray(orders.state, IN_FLIGHT)))
      .orderBy(asc(orders.symbol)),
  ]);
  return {
    open: open.map((t) => ({ symbol: t.symbol, side: t.side ?? "LONG", quantity: t.quantity ?? 0 })),
    inFlight: inFlight.map((o) => o.symbol),
  };
}

export async function readPositionChecks(db: Db, accountId: string): Promise<PositionCheckRow[]> {
  return db.select().from(positionChecks).where(eq(positionChecks.brokerAccountId, accountId));
}

/** Records each asset's check (the baseline is kept from the first one). */
export async function savePositionChecks(db: Db, rows: PositionCheckRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(positionChecks)
    .values(rows)
    .onConflictDoUpdate({
      target: [positionChecks.brokerAccountId, positionChecks.asset],
      set: {
        expected: sql`excluded.expected`,
        found: sql`excluded.found`,
        differs: sql`excluded.differs`,
        checkedAt: sql`excluded.checked_at`,
      },
    });
}

export type PositionMismatch = Omit<PositionCheckRow, "differs"> & { accountName: string };

/** The owner's current differences, optionally of some accounts only: what the pages warn about. */
export async function listPositionMismatches(
  db: Db,
  userId: string,
  accountIds?: string[],
): Promise<PositionMismatch[]> {
  return db
    .select({
      brokerAccountId: positionChecks.brokerAccountId,
      accountName: brokerAccounts.name,
      asset: positionChecks.asset,
      baseline: positionChecks.baseline,
      expected: positionChecks.expected,
      found: positionChecks.found,
      checkedAt: positionChecks.checkedAt,
    })
    .from(positionChecks)
    .innerJoin(brokerAccounts, eq(brokerAccounts.id, positionChecks.brokerAccountId))
    .where(
      and(
        eq(brokerAccounts.userId, userId),
        eq(positionChecks.differs, true),
        accountIds ? inArray(positionChecks.brokerAccountId, accountIds) : undefined,
      ),
    )
    .orderBy(asc(brokerAccounts.name), asc(positionChecks.asset));
}
