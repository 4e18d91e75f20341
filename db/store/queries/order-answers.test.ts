// Order answers as guarded write batches on a real sqld (ADR 153). Two writers on two connections decide about
// the same order at the same moment (both read, then both write): exactly one applies, the other is told the
// order is already decided, no fill is recorded twice, and the subscriptions' figures stay the sums of their
// trades. Two answers about different orders of one trade both apply (the later one decided again). A process
// paused between its read and its batch holds no lock: other writes finish at once, and its late batch is refused.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { sql } from "drizzle-orm";
import { newId } from "../../platform/ids";
import { startSqld, tsxArgs, type RunningSqld } from "../../../test/e2e/sqld";
import {
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  recordOpenExchangeTrades,
} from "../../../test/support/store";
import { clientOrderId } from "../../../worker/brokers/client-order-id";
import { openStore, type Store } from "../client";
import { migrateStore } from "../migrate";
import { recordExecution } from "./executions";
import { applyOrderAnswer, readOrderBasis, recordOrderAnswer, type OrderAnswer } from "./order-answers";

const KEY = Buffer.alloc(32, 7).toString("base64");
const OPTIONS = { clientOrderId };
let sqld: RunningSqld;
let a: Store;
let b: Store;

beforeAll(async () => {
  sqld = await startSqld();
  a = await openStore({ url: sqld.url });
  b = await openStore({ url: sqld.url });
  await migrateStore(a.db);
}, 60_000);
afterAll(async () => {
  a?.close();
  b?.close();
  await sqld?.stop();
});

interface Fixture {
  strategyId: string;
  versionId: string;
  accountId: string;
  trades: { tradeId: string; subId: string; entryOrderId: string; closeOrderId?: string }[];
}

/** `n` subscriptions of one exchange account, each with an open LONG 0.01 at 100 whose entry order is `sent`. */
async function openTrades(n: number): Promise<Fixture> {
  const user = await insertUser(a, "trader");
  const account = await insertExchangeAccount(a, user.id, KEY);
  const author = await insertUser(a, "author");
  const s = await insertStrategy(a, author.id);
  const subs = await insertSubscriptions(a, s.id, n, { userId: user.id, brokerAccountId: account.id });
  const { tradeIds } = await recordOpenExchangeTrades(
    a,
    { strategyId: s.id, versionId: s.versionId },
    subs.map((sub) => ({
      subscriptionId: sub.id,
      userId: user.id,
      brokerAccountId: account.id,
      clientOrderId: `cc-entry-${newId().slice(-12)}`,
    })),
  );
  await a.db.run(sql`UPDATE orders SET state = 'sent', sent_at = 1 WHERE broker_account_id = ${account.id}`);
  const entries = await a.db.all<{ id: string; trade_id: string }>(
    sql`SELECT id, trade_id FROM orders WHERE broker_account_id = ${account.id} AND leg = 'open'`,
  );
  return {
    strategyId: s.id,
    versionId: s.versionId,
    accountId: account.id,
    trades: tradeIds.map((tradeId, i) => ({
      tradeId,
      subId: subs[i].id,
      entryOrderId: entries.find((e) => e.trade_id === tradeId)!.id,
    })),
  };
}

/** As openTrades, then one execution closes every trade at 110 (P&L 0.1 booked) with an exit order `sent`. */
async function closedTrades(n: number, entryState: "sent" | "filled"): Promise<Fixture> {
  const f = await openTrades(n);
  await a.db.run(sql`UPDATE orders SET state = ${entryState} WHERE broker_account_id = ${f.accountId}`);
  const executionId = newId();
  const result = await recordExecution(a.db, {
    execution: {
      id: executionId,
      strategyId: f.strategyId,
      versionId: f.versionId,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime: 120_000,
      status: "COMPLETED",
      subscriberCount: n,
      startedAt: 3,
      finishedAt: 4,
    },
    closes: f.trades.map((t) => ({
      tradeId: t.tradeId,
      exitPrice: 110,
      exitFee: 0,
      pnl: 0.1,
      exitReason: "signal",
    })),
    orders: f.trades.map((t) => ({
      id: newId(),
      tradeId: t.tradeId,
      brokerAccountId: f.accountId,
      leg: "close" as const,
      clientOrderId: `cc-close-${newId().slice(-12)}`,
      symbol: "BTC/USDT",
      side: "sell" as const,
      quantity: 0.01,
      referencePrice: 110,
    })),
  });
  expect(result).toMatchObject({ status: "recorded", tradesClosed: n, ordersCreated: n });
  await a.db.run(
    sql`UPDATE orders SET state = 'sent', sent_at = 5 WHERE broker_account_id = ${f.accountId} AND leg = 'close'`,
  );
  const closes = await a.db.all<{ id: string; trade_id: string }>(
    sql`SELECT id, trade_id FROM orders WHERE broker_account_id = ${f.accountId} AND leg = 'close'`,
  );
  for (const t of f.trades) t.closeOrderId = closes.find((c) => c.trade_id === t.tradeId)!.id;
  return f;
}

const filled = (price: number, fee: number, tradeId: string): OrderAnswer => ({
  status: "filled",
  fillPrice: price,
  filledQuantity: 0.01,
  fee,
  exchangeOrderId: `x-${tradeId}`,
  fills: [{ tradeId, price, quantity: 0.01, fee }],
});

/** Both writers read, and only then both write, each on its own connection: a real race at sqld. */
async function race(orderIds: [string, string], answers: [OrderAnswer, OrderAnswer]) {
  const bases = await Promise.all([readOrderBasis(a.db, orderIds[0]), readOrderBasis(b.db, orderIds[1])]);
  return Promise.all([
    applyOrderAnswer(a.db, bases[0], answers[0], OPTIONS),
    applyOrderAnswer(b.db, bases[1], answers[1], OPTIONS),
  ]);
}

/** Each subscription's cached figures against the sums of its trades (the chaos test's invariant). */
async function figuresOf(accountId: string) {
  return a.db.all<{
    counted: number;
    n: number;
    wins: number;
    losses: number;
    closed: number;
    total: number;
    sum: number;
  }>(sql`
    SELECT s.trades_count AS counted, s.wins, s.losses, s.total_pnl AS total,
      (SELECT count(*) FROM trades t WHERE t.subscription_id = s.id AND t.status IN ('open', 'closed')) AS n,
      (SELECT count(*) FROM trades t WHERE t.subscription_id = s.id AND t.status = 'closed') AS closed,
      (SELECT coalesce(sum(pnl), 0) FROM trades t WHERE t.subscription_id = s.id AND t.status = 'closed') AS sum
    FROM subscriptions s WHERE s.broker_account_id = ${accountId}`);
}
async function expectFiguresAreSums(accountId: string) {
  for (const f of await figuresOf(accountId)) {
    expect(f.counted).toBe(f.n);
    expect(f.wins + f.losses).toBe(f.closed);
    expect(f.total).toBeCloseTo(f.sum, 12);
  }
}
const count = async (query: ReturnType<typeof sql>) => Number((await a.db.all<{ n: number }>(query))[0].n);
const eventsOf = (tradeId: string) =>
  count(
    sql`SELECT count(*) AS n FROM events WHERE type = 'trade.filled' AND payload ->> 'tradeId' = ${tradeId}`,
  );

const ROUNDS = 8;

it("an entry's fill and its void at the same moment: exactly one applies, the other is told it is decided", async () => {
  const f = await openTrades(ROUNDS);
  for (const t of f.trades) {
    const answers: [OrderAnswer, OrderAnswer] = [
      filled(101, 0.001, `fill-${t.tradeId}`),
      { status: "void", reason: "The exchange has no such order: it never arrived." },
    ];
    const results = await race([t.entryOrderId, t.entryOrderId], answers);
    const applied = results.findIndex((r) => r.status === "recorded");
    expect(applied).not.toBe(-1);
    expect(results[1 - applied]).toEqual({
      status: "already_decided",
      state: applied === 0 ? "filled" : "void",
    });

    const [row] = await a.db.all<{ status: string; entry_price: number; state: string; fills: number }>(sql`
      SELECT t.status, t.entry_price, o.state, (SELECT count(*) FROM order_fills WHERE order_id = o.id) AS fills
      FROM trades t JOIN orders o ON o.trade_id = t.id AND o.leg = 'open' WHERE t.id = ${t.tradeId}`);
    expect(row).toEqual(
      applied === 0
        ? { status: "open", entry_price: 101, state: "filled", fills: 1 }
        : { status: "rejected", entry_price: 100, state: "void", fills: 0 },
    );
    expect(await eventsOf(t.tradeId)).toBe(1);
  }
  await expectFiguresAreSums(f.accountId);
}, 60_000);

it("an exit's fill and its refusal at the same moment: one applies; the P&L and the figures follow that one", async () => {
  const f = await closedTrades(ROUNDS, "filled");
  for (const t of f.trades) {
    const results = await race(
      [t.closeOrderId!, t.closeOrderId!],
      [filled(105, 0.02, `exit-${t.tradeId}`), { status: "rejected", reason: "Insufficient balance." }],
    );
    const applied = results.findIndex((r) => r.status === "recorded");
    expect(results.map((r) => r.status).sort()).toEqual(["already_decided", "recorded"]);
    const [trade] = await a.db.all<{ status: string; pnl: number | null; exit_price: number | null }>(
      sql`SELECT status, pnl, exit_price FROM trades WHERE id = ${t.tradeId}`,
    );
    if (applied === 0) expect(trade).toEqual({ status: "closed", pnl: 5 * 0.01 - 0.02, exit_price: 105 });
    else expect(trade).toEqual({ status: "open", pnl: null, exit_price: null });
    expect(await eventsOf(t.tradeId)).toBe(1);
  }
  await expectFiguresAreSums(f.accountId);
}, 60_000);

it("the same fill read by two workers at once is recorded once", async () => {
  const f = await openTrades(ROUNDS);
  for (const t of f.trades) {
    const answer = filled(101, 0.001, `same-${t.tradeId}`);
    const results = await race([t.entryOrderId, t.entryOrderId], [answer, answer]);
    expect(results.map((r) => r.status).sort()).toEqual(["already_decided", "recorded"]);
    expect(await count(sql`SELECT count(*) AS n FROM order_fills WHERE order_id = ${t.entryOrderId}`)).toBe(
      1,
    );
    expect(await eventsOf(t.tradeId)).toBe(1);
  }
  await expectFiguresAreSums(f.accountId);
}, 60_000);

it("the entry's fill and the exit's fill of one trade at once both apply: the later one is decided again", async () => {
  const f = await closedTrades(ROUNDS, "sent");
  for (const t of f.trades) {
    const results = await race(
      [t.entryOrderId, t.closeOrderId!],
      [filled(99, 0.001, `in-${t.tradeId}`), filled(105, 0.02, `out-${t.tradeId}`)],
    );
    expect(results.map((r) => r.status)).toEqual(["recorded", "recorded"]);
    const [trade] = await a.db.all<{ pnl: number; entry_price: number; exit_price: number }>(
      sql`SELECT pnl, entry_price, exit_price FROM trades WHERE id = ${t.tradeId}`,
    );
    expect(trade).toEqual({ pnl: (105 - 99) * 0.01 - 0.001 - 0.02, entry_price: 99, exit_price: 105 });
    expect(await eventsOf(t.tradeId)).toBe(2);
  }
  await expectFiguresAreSums(f.accountId);
}, 60_000);

describe("a writer paused between its read and its batch", () => {
  let holder: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    if (holder && holder.exitCode === null) {
      process.kill(holder.pid!, "SIGCONT");
      holder.kill("SIGKILL");
    }
  });

  it("holds no lock: another process's writes finish at once, and its late batch is refused as decided", async () => {
    const f = await openTrades(2);
    const [held, other] = f.trades;
    holder = spawn(
      process.execPath,
      tsxArgs(
        "test/support/order-answer-holder.child.ts",
        sqld.url,
        held.entryOrderId,
        JSON.stringify(filled(101, 0.001, `held-${held.tradeId}`)),
      ),
      { env: { ...process.env, NODE_OPTIONS: "" } },
    );
    let out = "";
    holder.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    holder.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    await vi.waitFor(() => expect(out).toContain("read\n"), { timeout: 30_000, interval: 50 });
    process.kill(holder.pid!, "SIGSTOP");

    // While it is stopped: a conflicting decision on its order, and an unrelated order's fill.
    const started = Date.now();
    const voided = await recordOrderAnswer(
      a.db,
      held.entryOrderId,
      { status: "void", reason: "The exchange has no such order." },
      OPTIONS,
    );
    const unrelated = await recordOrderAnswer(
      a.db,
      other.entryOrderId,
      filled(102, 0.001, `other-${other.tradeId}`),
      OPTIONS,
    );
    const tookMs = Date.now() - started;
    expect(voided.status).toBe("recorded");
    expect(unrelated.status).toBe("recorded");
    expect(tookMs).toBeLessThan(2_000);

    process.kill(holder.pid!, "SIGCONT");
    holder.stdin.write("go\n");
    const exited = new Promise((resolve) => holder!.once("exit", resolve));
    await vi.waitFor(() => expect(out).toMatch(/\{.*\}\n/), { timeout: 30_000, interval: 50 });
    expect(JSON.parse(out.slice(out.indexOf("{")))).toEqual({ status: "already_decided", state: "void" });
    await exited;
    expect(
      await count(sql`SELECT count(*) AS n FROM order_fills WHERE order_id = ${held.entryOrderId}`),
    ).toBe(0);
    await expectFiguresAreSums(f.accountId);
  }, 60_000);
});
