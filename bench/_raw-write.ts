// The raw write floor: a candle's rows through one prepared statement each, the least recordExecution's work can cost.
import Database from "libsql";
import { newId } from "../db/platform/ids";
import type { RecordExecutionInput } from "../db/store/queries/executions";
import { createTestStore, insertStrategy, insertSubscriptions, insertUser } from "../test/support/store";

/** One candle's rows as recordExecution takes them: the execution, one opened trade and one event per subscription. */
function buildInput(
  strategyId: string,
  versionId: string,
  subs: { id: string; userId: string }[],
  closeTime: number,
): RecordExecutionInput {
  const id = newId();
  return {
    execution: {
      id,
      strategyId,
      versionId,
      symbol: "BTC/USDT",
      resolution: "1m",
      closeTime,
      status: "COMPLETED",
      signal: "BUY",
      confidence: 0.7,
      price: 60_000,
      subscriberCount: subs.length,
      startedAt: closeTime,
      finishedAt: closeTime + 50,
    },
    trades: subs.map((s) => ({
      id: newId(),
      subscriptionId: s.id,
      userId: s.userId,
      symbol: "BTC/USDT",
      status: "open" as const,
      side: "LONG" as const,
      quantity: 0.0123,
      entryPrice: 60_000,
      stopLoss: 59_000,
      takeProfit: 61_500,
      entryFee: 0.738,
      clientOrderId: `cc${id.slice(0, 8)}${s.id.slice(0, 8)}`,
    })),
    events: subs.map((s) => ({
      userId: s.userId,
      type: "execution" as const,
      payload: { executionId: id, subscriptionId: s.id, signal: "BUY" },
    })),
  };
}

/** The floor: the same rows through the synchronous libsql driver, one prepared statement per row, one transaction. */
function writeRaw(file: string, input: RecordExecutionInput): number {
  const db = new Database(file, { timeout: 15_000 });
  const e = input.execution;
  const t0 = performance.now();
  const insertExecution = db.prepare(
    "INSERT INTO executions (id, strategy_id, version_id, symbol, resolution, close_time, status, signal, confidence, price, subscriber_count, trades_created, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
  );
  const insertTrade = db.prepare(
    "INSERT INTO trades (id, subscription_id, user_id, symbol, side, status, quantity, entry_price, stop_loss, take_profit, entry_fee, client_order_id, execution_id, strategy_id, opened_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
  );
  const updateMetrics = db.prepare("UPDATE subscriptions SET trades_count = trades_count + 1 WHERE id = ?");
  const insertEvent = db.prepare("INSERT INTO events (user_id, type, payload, created_at) VALUES (?,?,?,?)");
  db.exec("BEGIN IMMEDIATE");
  insertExecution.run(
    e.id,
    e.strategyId,
    e.versionId,
    e.symbol,
    e.resolution,
    e.closeTime,
    e.status,
    e.signal,
    e.confidence,
    e.price,
    e.subscriberCount,
    input.trades!.length,
    e.startedAt,
    e.finishedAt,
  );
  for (const t of input.trades!) {
    insertTrade.run(
      t.id,
      t.subscriptionId,
      t.userId,
      t.symbol,
      t.side,
      t.status,
      t.quantity,
      t.entryPrice,
      t.stopLoss,
      t.takeProfit,
      t.entryFee,
      t.clientOrderId,
      e.id,
      e.strategyId,
      e.closeTime,
    );
    updateMetrics.run(t.subscriptionId);
  }
  for (const ev of input.events!)
    insertEvent.run(ev.userId, ev.type, JSON.stringify(ev.payload), e.finishedAt);
  db.exec("COMMIT");
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

/**
 * A store of its own with one strategy and `n` subscriptions. `nextInput()` is the next candle's rows;
 * `sample()` raw-writes them and answers the milliseconds.
 */
export async function createRawWriteStore(n: number) {
  const store = await createTestStore();
  const author = await insertUser(store, "author");
  const strategy = await insertStrategy(store, author.id);
  const subs = await insertSubscriptions(store, strategy.id, n);
  let closeTime = 1_800_000_000_000;
  const nextInput = () => buildInput(strategy.id, strategy.versionId, subs, (closeTime += 60_000));
  return { store, nextInput, sample: () => writeRaw(store.file, nextInput()) };
}
