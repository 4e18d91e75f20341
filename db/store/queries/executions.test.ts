import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eq, sql } from "drizzle-orm";
import { newId } from "../../platform/ids";
import { events, executions, subscriptions, trades } from "../schema";
import {
  createTestStore,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  type TestStore,
} from "../../../test/support/store";
import { recordExecution, type RecordExecutionInput } from "./executions";
import { claimExecution } from "./leases";

let store: TestStore;
let strategy: { id: string; versionId: string };
let subs: { id: string; userId: string }[];

beforeAll(async () => {
  store = await createTestStore();
  const author = await insertUser(store, "author");
  strategy = await insertStrategy(store, author.id);
  subs = await insertSubscriptions(store, strategy.id, 50);
});
afterAll(() => store.cleanup());

let closeTime = 1_700_000_000_000;
function buildInput(overrides: Partial<RecordExecutionInput["execution"]> = {}): RecordExecutionInput {
  closeTime += 60_000;
  const id = newId();
  return {
    execution: {
      id,
      strategyId: strategy.id,
      versionId: strategy.versionId,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime,
      status: "COMPLETED",
      signal: "BUY",
      confidence: 0.8,
      price: 100,
      subscriberCount: subs.length,
      startedAt: closeTime,
      finishedAt: closeTime + 20,
      ...overrides,
    },
    trades: subs.map((s) => ({
      id: newId(),
      subscriptionId: s.id,
      userId: s.userId,
      symbol: "BTC/USDT",
      status: "open" as const,
      side: "LONG" as const,
      quantity: 1.5,
      entryPrice: 100,
      stopLoss: 95,
      takeProfit: 110,
      entryFee: 0.15,
      clientOrderId: `cc-${s.id.slice(0, 8)}`,
    })),
    events: subs.map((s) => ({ userId: s.userId, type: "execution" as const, payload: { executionId: id } })),
  };
}

const count = async (
  table: typeof trades | typeof events | typeof executions,
  where?: ReturnType<typeof eq>,
) =>
  (
    await store.db
      .select({ n: sql<number>`count(*)` })
      .from(table)
      .where(where)
  )[0].n;

describe("recordExecution", () => {
  it("writes the execution, every trade, the metrics and the events together", async () => {
    const input = buildInput();
    const before = await store.db.select().from(subscriptions).where(eq(subscriptions.id, subs[0].id));
    const result = await recordExecution(store.db, input);
    expect(result).toMatchObject({ status: "recorded", tradesCreated: 50, tradesClosed: 0 });
    if (result.status !== "recorded") throw new Error("unreachable");
    expect(result.eventSeqs!.last - result.eventSeqs!.first + 1).toBe(50);
    expect(await count(trades, eq(trades.executionId, input.execution.id))).toBe(50);
    expect(
      await count(
        events,
        sql`${events.seq} between ${result.eventSeqs!.first} and ${result.eventSeqs!.last}`,
      ),
    ).toBe(50);
    const after = await store.db.select().from(subscriptions).where(eq(subscriptions.id, subs[0].id));
    expect(after[0].tradesCount).toBe(before[0].tradesCount + 1);
    const row = await store.db.select().from(trades).where(eq(trades.subscriptionId, subs[0].id));
    expect(row.at(-1)).toMatchObject({
      quantity: 1.5,
      entryPrice: 100,
      stopLoss: 95,
      side: "LONG",
      status: "open",
    });
  });

  it("closes open trades once and books wins, losses and P&L", async () => {
    const open = await store.db.select().from(trades).where(eq(trades.subscriptionId, subs[1].id));
    const tradeId = open[0].id;
    const before = (await store.db.select().from(subscriptions).where(eq(subscriptions.id, subs[1].id)))[0];
    const input = { ...buildInput(), trades: [], events: [] };
    input.closes = [{ tradeId, exitPrice: 110, exitFee: 0.2, pnl: 14.65, exitReason: "take_profit" }];
    const first = await recordExecution(store.db, input);
    expect(first).toMatchObject({ status: "recorded", tradesClosed: 1 });
    // A second execution trying to close the same trade changes neither the trade nor the metrics.
    const second = await recordExecution(store.db, {
      ...buildInput(),
      trades: [],
      events: [],
      closes: input.closes,
    });
    expect(second).toMatchObject({ status: "recorded", tradesClosed: 0 });
    const after = (await store.db.select().from(subscriptions).where(eq(subscriptions.id, subs[1].id)))[0];
    expect(after.wins).toBe(before.wins + 1);
    expect(after.totalPnl).toBeCloseTo(before.totalPnl + 14.65, 9);
    expect(after.pnlToday).toBeCloseTo(14.65, 9);
    const trade = (await store.db.select().from(trades).where(eq(trades.id, tradeId)))[0];
    expect(trade).toMatchObject({
      status: "closed",
      exitPrice: 110,
      exitReason: "take_profit",
      exitExecutionId: input.execution.id,
    });
  });

  it("books a close's P&L on its pnlDay: an earlier day's loss is in the total, not in today's bucket", async () => {
    await recordExecution(store.db, buildInput());
    await recordExecution(store.db, buildInput());
    const sid = subs[2].id;
    const open = await store.db.select().from(trades).where(eq(trades.subscriptionId, sid));
    const [a, b] = open.filter((t) => t.status === "open");
    const input = { ...buildInput(), trades: [], events: [] };
    const today = input.execution.closeTime - (input.execution.closeTime % 86_400_000);
    const before = (await store.db.select().from(subscriptions).where(eq(subscriptions.id, sid)))[0];
    input.closes = [
      {
        tradeId: a.id,
        exitPrice: 90,
        exitFee: 0.1,
        pnl: -30,
        exitReason: "stop_loss",
        pnlDay: today - 86_400_000,
      },
      { tradeId: b.id, exitPrice: 95, exitFee: 0.1, pnl: -5, exitReason: "stop_loss", pnlDay: today },
    ];
    await recordExecution(store.db, input);
    const after = (await store.db.select().from(subscriptions).where(eq(subscriptions.id, sid)))[0];
    expect(after.totalPnl).toBeCloseTo(before.totalPnl - 35, 9);
    expect(after.pnlDayStart).toBe(today);
    expect(after.pnlToday).toBeCloseTo((before.pnlDayStart === today ? before.pnlToday : 0) - 5, 9);
  });

  it("is idempotent: the same candle recorded twice changes nothing the second time", async () => {
    const input = buildInput();
    await recordExecution(store.db, input);
    const tradesBefore = await count(trades);
    const eventsBefore = await count(events);
    const again = await recordExecution(store.db, {
      ...input,
      execution: { ...input.execution, id: newId() },
    });
    expect(again).toEqual({
      status: "already_recorded",
      executionId: input.execution.id,
      existingStatus: "COMPLETED",
    });
    expect(await count(trades)).toBe(tradesBefore);
    expect(await count(events)).toBe(eventsBefore);
  });

  it("completes a RUNNING row only for the claimant that holds its id", async () => {
    const input = buildInput();
    const claim = { ...input.execution, workerId: "w1", leaseMs: 60_000 };
    expect(await claimExecution(store.db, claim)).toBe(true);
    expect(await claimExecution(store.db, { ...claim, id: newId(), workerId: "w2" })).toBe(false);
    const intruder = await recordExecution(store.db, {
      ...input,
      execution: { ...input.execution, id: newId() },
    });
    expect(intruder).toMatchObject({ status: "already_recorded", existingStatus: "RUNNING" });
    const owner = await recordExecution(store.db, input);
    expect(owner).toMatchObject({ status: "recorded", tradesCreated: 50 });
  });

  it("lets exactly one of two processes racing on the same candles win, with no partial rows", async () => {
    const rounds = Array.from({ length: 20 }, () => buildInput());
    const copy = (i: RecordExecutionInput) => ({
      ...i,
      execution: { ...i.execution, id: newId() },
      trades: i.trades!.map((t) => ({ ...t, id: newId() })),
    });
    const startAt = Date.now() + 1500;
    const child = (inputs: RecordExecutionInput[]) =>
      new Promise<string[]>((resolve, reject) => {
        const file = `${store.file}.${newId()}.json`;
        writeFileSync(file, JSON.stringify({ url: store.url, startAt, inputs }));
        execFile(
          process.execPath,
          [
            "--import",
            "tsx",
            fileURLToPath(new URL("../../../test/support/record-race.child.ts", import.meta.url)),
            file,
          ],
          (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
        );
      });
    const [a, b] = await Promise.all([child(rounds), child(rounds.map(copy))]);
    const all = [...a, ...b];
    expect(all.filter((s) => s === "recorded")).toHaveLength(20);
    expect(all.filter((s) => s === "already_recorded")).toHaveLength(20);
    for (const r of rounds) {
      const rows = await store.db
        .select({ id: executions.id })
        .from(executions)
        .where(eq(executions.closeTime, r.execution.closeTime));
      expect(rows).toHaveLength(1);
      expect(await count(trades, eq(trades.executionId, rows[0].id))).toBe(50);
    }
  });

  it("leaves nothing behind when it fails halfway (after the trades were written)", async () => {
    const input = buildInput();
    const tradesBefore = await count(trades);
    const metricsBefore = await store.db.select({ n: subscriptions.tradesCount }).from(subscriptions);
    // An event without a type violates NOT NULL in the last statement, after trades and metrics.
    input.events = [{ userId: subs[0].userId, type: null as unknown as "execution", payload: {} }];
    const error = await recordExecution(store.db, input).catch((e: Error) => e);
    expect(String((error as Error & { cause?: Error }).cause?.message)).toMatch(/NOT NULL/);
    expect(await count(executions, eq(executions.id, input.execution.id))).toBe(0);
    expect(await count(trades)).toBe(tradesBefore);
    expect(await store.db.select({ n: subscriptions.tradesCount }).from(subscriptions)).toEqual(
      metricsBefore,
    );
  });
});
