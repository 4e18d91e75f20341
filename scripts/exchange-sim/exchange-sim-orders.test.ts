// The simulator's order endpoints as its own process, driven by ccxt's real binance class with an account's key.
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ccxt, { type Exchange } from "ccxt";
import { readFileSync } from "node:fs";
import { createCcxtExchange } from "../../worker/brokers/ccxt-exchange.server";
import { createExchangeBroker } from "../../worker/brokers/exchange.server";
import type { Ledger } from "./ledger";
import { pointExchangeAt } from "../../worker/market-data/exchange-url";
import {
  startExchangeSim,
  writeCandleCsv,
  type ExchangeSimProcess,
} from "../../test/support/exchange-sim-process";

const MINUTE = 60_000;
// Calm candles (flat at 100) alternate with wild ones walking 100 -> 70 -> 130 -> 100; at
// --time-scale 60 a candle lasts one real second.
const ROWS = Array.from({ length: 20 }, (_, i) => {
  const wild = i % 2 === 1;
  return {
    time: Date.UTC(2024, 0, 1) + i * MINUTE,
    open: 100,
    high: wild ? 130 : 100,
    low: wild ? 70 : 100,
    close: 100,
    volume: 10,
  };
});
const CSV = writeCandleCsv(ROWS);
const SIM_ARGS = ["--candles", CSV, "--symbols", "BTC/USDT,ETH/USDT", "--time-scale", "60"];

let sim: ExchangeSimProcess;
let accounts = 0;

beforeAll(async () => {
  sim = await startExchangeSim(SIM_ARGS);
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await fetch(`${sim.base}/__sim/faults`, { method: "DELETE" });
});

/** A fresh account with 10,000 USDT and ccxt's binance class signed with its key. */
async function account(target = sim, balances: Record<string, number> = { USDT: 10_000 }) {
  const apiKey = `key${++accounts}`;
  const secret = `secret-${accounts}`;
  await target.addAccount({ apiKey, secret, balances });
  const exchange = pointExchangeAt(createCcxtExchange({ apiKey, secret, timeoutMs: 2_000 }), target.base);
  return { apiKey, secret, exchange };
}

/** Waits for the first half of a calm candle on the simulator's clock: the price is 100 for half a real second. */
async function calmCandle(exchange: Exchange, target = sim) {
  await vi.waitFor(
    async () => {
      const sinceStart = (await exchange.fetchTime())! - target.replayStart!;
      expect(Math.floor(sinceStart / MINUTE) % 2 === 0 && sinceStart % MINUTE < MINUTE / 2).toBe(true);
    },
    { timeout: 3_000, interval: 20 },
  );
}

type ListAnswer = { orderListId: number; orderReports: { clientOrderId: string; status: string }[] };

/** A sell OCO: take-profit (limit maker) at 110, stop-loss (stop market) at 90, placed at 100. */
async function protect(exchange: Exchange, target = sim) {
  await calmCandle(exchange, target);
  return (
    exchange as unknown as { privatePostOrderListOco(p: object): Promise<ListAnswer> }
  ).privatePostOrderListOco({
    symbol: "BTCUSDT",
    side: "SELL",
    quantity: "0.5",
    aboveType: "LIMIT_MAKER",
    abovePrice: "110",
    aboveClientOrderId: "cc-tp",
    belowType: "STOP_LOSS",
    belowStopPrice: "90",
    belowClientOrderId: "cc-sl",
    listClientOrderId: "cc-list",
  });
}

const dumpOf = async (apiKey: string, target = sim) =>
  (await target.orders()).find((a) => a.apiKey === apiKey)!;

async function balances(exchange: Exchange) {
  const balance = await exchange.fetchBalance();
  return { USDT: balance.USDT?.free ?? 0, BTC: balance.BTC?.free ?? 0, lockedUSDT: balance.USDT?.used ?? 0 };
}

const buy = (exchange: Exchange, clientOrderId: string, amount = 0.5) =>
  exchange.createOrder("BTC/USDT", "market", "buy", amount, undefined, {
    newClientOrderId: clientOrderId,
    newOrderRespType: "FULL",
  });

describe("exchange simulator: orders", () => {
  it("fills a market buy at the path's price now, takes cost and 0.1 % fee from USDT, and reports its trade", async () => {
    const { exchange } = await account();
    const order = await buy(exchange, "cc-market-1");
    expect(order.status).toBe("closed");
    expect(order.filled).toBe(0.5);
    expect(order.clientOrderId).toBe("cc-market-1");
    const price = order.average!;
    expect(price).toBeGreaterThanOrEqual(70);
    expect(price).toBeLessThanOrEqual(130);
    expect(order.fee).toMatchObject({ currency: "USDT" });
    expect(order.fee!.cost).toBeCloseTo(0.5 * price * 0.001, 6);
    const after = await balances(exchange);
    expect(after.BTC).toBeCloseTo(0.5, 8);
    expect(after.USDT).toBeCloseTo(10_000 - 0.5 * price * 1.001, 6);
    const trades = await exchange.fetchOrderTrades(order.id!, "BTC/USDT");
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ order: order.id, price, amount: 0.5, side: "buy" });
    expect(Number(trades[0].id)).toBeGreaterThan(0);
  });

  it("finds an order by its client id, and answers Binance's -2013 for one that does not exist", async () => {
    const { exchange } = await account();
    const placed = await buy(exchange, "cc-lookup-1");
    const found = await exchange.fetchOrder(undefined as unknown as string, "BTC/USDT", {
      origClientOrderId: "cc-lookup-1",
    });
    expect(found).toMatchObject({
      id: placed.id,
      clientOrderId: "cc-lookup-1",
      status: "closed",
      filled: 0.5,
    });
    await expect(
      exchange.fetchOrder(undefined as unknown as string, "BTC/USDT", { origClientOrderId: "cc-never" }),
    ).rejects.toThrow(ccxt.OrderNotFound);
  });

  it("refuses a client id an open order holds (-2010 Duplicate order sent.), and takes a filled one's again and fills it again", async () => {
    const { apiKey, exchange } = await account();
    const resting = await exchange.createOrder("BTC/USDT", "limit", "buy", 0.5, 50, {
      newClientOrderId: "cc-open",
    });
    expect(resting.status).toBe("open");
    await expect(buy(exchange, "cc-open")).rejects.toThrow(/Duplicate order sent/);
    expect((await balances(exchange)).lockedUSDT).toBeCloseTo(0.5 * 50 * 1.001, 6);
    await exchange.cancelOrder(resting.id!, "BTC/USDT");
    expect((await balances(exchange)).lockedUSDT).toBe(0);
    await expect(exchange.cancelOrder(resting.id!, "BTC/USDT")).rejects.toThrow(ccxt.OrderNotFound);

    const first = await buy(exchange, "cc-again");
    const second = await buy(exchange, "cc-again");
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe("closed");
    const dump = await dumpOf(apiKey);
    expect(dump.orders.filter((o) => o.clientOrderId === "cc-again").map((o) => o.status)).toEqual([
      "FILLED",
      "FILLED",
    ]);
    expect(dump.fills.filter((f) => [first.id, second.id].includes(String(f.orderId)))).toHaveLength(2);
    expect(dump.balances.BTC.free).toBeCloseTo(1, 8);
    // A look-up by client id answers the newest order that carries it.
    const found = await exchange.fetchOrder(undefined as unknown as string, "BTC/USDT", {
      origClientOrderId: "cc-again",
    });
    expect(found.id).toBe(second.id);
  });

  it("lists all orders, and cancels every open one on a symbol at once, an OCO pair with them", async () => {
    const { exchange } = await account(sim, { USDT: 10_000, BTC: 1 });
    const filled = await buy(exchange, "cc-all-1");
    const resting = await exchange.createOrder("BTC/USDT", "limit", "buy", 0.5, 50, {
      newClientOrderId: "cc-all-2",
    });
    await protect(exchange);
    const cancelled = await exchange.cancelAllOrders("BTC/USDT");
    // As on Binance, each answer carries the order's own id as origClientOrderId.
    expect(cancelled.map((o) => o.info.origClientOrderId).sort()).toEqual(["cc-all-2", "cc-sl", "cc-tp"]);
    expect(cancelled.map((o) => o.status)).toEqual(["canceled", "canceled", "canceled"]);
    const all = await exchange.fetchOrders("BTC/USDT");
    expect(all.map((o) => [o.id, o.status])).toEqual([
      [filled.id, "closed"],
      [resting.id, "canceled"],
      [expect.any(String), "canceled"],
      [expect.any(String), "canceled"],
    ]);
    expect((await exchange.fetchBalance()).BTC).toMatchObject({ free: 1.5, used: 0 });
    await expect(exchange.cancelAllOrders("BTC/USDT")).rejects.toThrow(ccxt.OrderNotFound);
  });

  it("refuses a market buy beyond the balance with -2010 and records nothing", async () => {
    const { apiKey, exchange } = await account(sim, { USDT: 20 });
    await expect(buy(exchange, "cc-too-big", 1)).rejects.toThrow(ccxt.InsufficientFunds);
    expect((await dumpOf(apiKey)).orders).toEqual([]);
    expect((await balances(exchange)).USDT).toBe(20);
  });

  it("OCO: the stop triggers on the price path between closes and fills at its stop price, the take-profit expires", async () => {
    const { apiKey, exchange } = await account();
    const entry = await buy(exchange, "cc-entry", 0.5);
    const list = await protect(exchange);
    expect(list.orderListId).toBeGreaterThan(0);
    expect(list.orderReports.map((r) => [r.clientOrderId, r.status])).toEqual([
      ["cc-sl", "NEW"],
      ["cc-tp", "NEW"],
    ]);
    // The next (wild) candle falls to 70 before it rises to 130: the stop at 90 acts first.
    await vi.waitFor(async () => expect((await dumpOf(apiKey)).lists[0].status).toBe("ALL_DONE"), {
      timeout: 5_000,
      interval: 100,
    });
    const dump = await dumpOf(apiKey);
    const legs = dump.orders.filter((o) => o.orderListId === list.orderListId);
    expect(legs.map((o) => [o.clientOrderId, o.status])).toEqual([
      ["cc-sl", "FILLED"],
      ["cc-tp", "EXPIRED"],
    ]);
    const fill = dump.fills.find((f) => f.orderId === legs[0].orderId)!;
    expect(fill.price).toBe(90);
    // A third into the wild candle's fall to 70: between closes, not at one.
    expect((fill.time - sim.replayStart!) % MINUTE).toBeCloseTo(MINUTE / 9, 0);
    expect(dump.balances.BTC).toEqual({ free: expect.closeTo(0, 8), locked: expect.closeTo(0, 8) });
    expect(dump.balances.USDT.free).toBeCloseTo(10_000 - 0.5 * entry.average! * 1.001 + 0.5 * 90 * 0.999, 6);
    expect(await exchange.fetchOpenOrders("BTC/USDT")).toEqual([]);
  });

  it("refuses a stop that would trigger immediately and a limit maker that would take", async () => {
    const { exchange } = await account(sim, { USDT: 10_000, BTC: 1 });
    await expect(
      exchange.createOrder("BTC/USDT", "market", "sell", 0.5, undefined, { stopLossPrice: 500 }),
    ).rejects.toThrow(/Stop price would trigger immediately/);
    await expect(
      exchange.createOrder("BTC/USDT", "limit", "sell", 10, 1, { postOnly: true }),
    ).rejects.toThrow(/Order would immediately match and take/);
  });

  it("dropped answer: the order executes, the client sees a network error, the dump and fetchOrder find it", async () => {
    const { apiKey, exchange } = await account();
    await sim.setFaults({ dropAfterExecute: { next: 1, fraction: 0, delayMs: 0 } });
    await expect(buy(exchange, "cc-dropped")).rejects.toThrow(ccxt.NetworkError);
    const dump = await dumpOf(apiKey);
    expect(dump.orders.map((o) => [o.clientOrderId, o.status])).toEqual([["cc-dropped", "FILLED"]]);
    const found = await exchange.fetchOrder(undefined as unknown as string, "BTC/USDT", {
      origClientOrderId: "cc-dropped",
    });
    expect(found).toMatchObject({ status: "closed", filled: 0.5 });
    // Answers held past the client's timeout instead: the order exists all the same.
    await sim.setFaults({ dropAfterExecute: { next: 1, fraction: 0, delayMs: 3_000 } });
    await expect(buy(exchange, "cc-late")).rejects.toThrow(ccxt.RequestTimeout);
    expect((await dumpOf(apiKey)).orders.map((o) => o.clientOrderId)).toEqual(["cc-dropped", "cc-late"]);
    expect(await buy(exchange, "cc-after")).toMatchObject({ status: "closed" });
  });

  it("orderLatencyMs holds each placement back; dropAfterExecute's fraction 1 loses every answer while the orders execute", async () => {
    const { apiKey, exchange } = await account();
    await sim.setFaults({ orderLatencyMs: 300 });
    const started = performance.now();
    await buy(exchange, "cc-slow");
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    await sim.setFaults({ orderLatencyMs: 0, dropAfterExecute: { next: 0, fraction: 1, delayMs: 0 } });
    await expect(buy(exchange, "cc-lost-1")).rejects.toThrow(ccxt.NetworkError);
    await expect(buy(exchange, "cc-lost-2")).rejects.toThrow(ccxt.NetworkError);
    expect((await dumpOf(apiKey)).orders.map((o) => [o.clientOrderId, o.status])).toEqual([
      ["cc-slow", "FILLED"],
      ["cc-lost-1", "FILLED"],
      ["cc-lost-2", "FILLED"],
    ]);
  });

  it("the worker's exchange broker, its answer dropped, finds the executed order by client id and records it filled", async () => {
    const { apiKey, exchange } = await account();
    const broker = createExchangeBroker({ exchange, lookupBackoffMs: 10 });
    await sim.setFaults({ dropAfterExecute: { next: 1, fraction: 0, delayMs: 0 } });
    const result = await broker.placeMarketOrder({
      clientOrderId: "cc-broker",
      symbol: "BTC/USDT",
      side: "buy",
      quantity: 0.5,
      referencePrice: 100,
    });
    const dump = await dumpOf(apiKey);
    expect(dump.orders).toHaveLength(1);
    expect(result).toEqual({
      status: "filled",
      fillPrice: dump.fills[0].price,
      filledQuantity: 0.5,
      fee: expect.closeTo(dump.fills[0].commission, 8),
      exchangeOrderId: String(dump.orders[0].orderId),
      // When the exchange filled it (whole milliseconds, as Binance reports them).
      filledAt: Math.trunc(dump.fills[0].time),
      // The fill by the exchange's own trade id, so a look-up read again records it once (ADR 142).
      fills: [
        {
          tradeId: String(dump.fills[0].id),
          price: dump.fills[0].price,
          quantity: 0.5,
          fee: expect.closeTo(dump.fills[0].commission, 8),
          time: Math.trunc(dump.fills[0].time),
        },
      ],
    });
  });

  it("5xx before execute: 503 and nothing exists; a rejection fault answers the given code, then orders fill again", async () => {
    const { apiKey, exchange } = await account();
    await sim.setFaults({ fail5xxBeforeExecute: 1 });
    await expect(buy(exchange, "cc-5xx")).rejects.toThrow(ccxt.OperationFailed);
    expect((await dumpOf(apiKey)).orders).toEqual([]);
    await expect(
      exchange.fetchOrder(undefined as unknown as string, "BTC/USDT", { origClientOrderId: "cc-5xx" }),
    ).rejects.toThrow(ccxt.OrderNotFound);
    await sim.setFaults({
      reject: { next: 1, code: -2010, msg: "Account has insufficient balance for requested action." },
    });
    await expect(buy(exchange, "cc-rejected")).rejects.toThrow(ccxt.InsufficientFunds);
    expect((await dumpOf(apiKey)).orders).toEqual([]);
    expect(await buy(exchange, "cc-5xx")).toMatchObject({ status: "closed" });
  });

  it("refuses a bad signature, an unknown key and a stale timestamp, executing nothing", async () => {
    const { apiKey, secret } = await account();
    const wrongSecret = pointExchangeAt(createCcxtExchange({ apiKey, secret: "not-it" }), sim.base);
    await expect(buy(wrongSecret, "cc-forged")).rejects.toThrow(/Signature for this request is not valid/);
    const unknownKey = pointExchangeAt(createCcxtExchange({ apiKey: "nobody", secret }), sim.base);
    await expect(unknownKey.fetchBalance()).rejects.toThrow(ccxt.AuthenticationError);
    const query = `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&timestamp=${Date.now() - 60_000}`;
    const signature = createHmac("sha256", secret).update(query).digest("hex");
    const stale = await fetch(`${sim.base}/api/v3/order`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": apiKey, "content-type": "application/x-www-form-urlencoded" },
      body: `${query}&signature=${signature}`,
    });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
    const unsigned = await fetch(`${sim.base}/api/v3/account?timestamp=${Date.now()}`, {
      headers: { "X-MBX-APIKEY": apiKey },
    });
    expect((await unsigned.json()).code).toBe(-1102);
    expect((await dumpOf(apiKey)).orders).toEqual([]);
  });

  it("refuses bad fault switches and accounts naming the field, changing nothing", async () => {
    const bad = await fetch(`${sim.base}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ dropAfterExecute: { fraction: 2 } }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toBe("dropAfterExecute.fraction");
    const account = await fetch(`${sim.base}/__sim/accounts`, {
      method: "POST",
      body: JSON.stringify({ apiKey: "ok", secret: "s", balances: { USDT: -1 } }),
    });
    expect(account.status).toBe(400);
    expect((await account.json()).field).toBe("balances.USDT");
    expect((await sim.orders()).some((a) => a.apiKey === "ok")).toBe(false);
    expect((await (await fetch(`${sim.base}/__sim/faults`)).json()).dropAfterExecute.fraction).toBe(0);
  });

  it("acts on resting orders on its timer, with no request arriving (seen in the --state file)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "exchange-sim-state-")), "state.json");
    const own = await startExchangeSim([...SIM_ARGS, "--state", file]);
    try {
      const { apiKey, exchange } = await account(own);
      await buy(exchange, "cc-timer-entry");
      await protect(exchange, own);
      const saved = () =>
        (JSON.parse(readFileSync(file, "utf8")) as Ledger).lists.find((l) => l.apiKey === apiKey);
      await vi.waitFor(() => expect(saved()?.status).toBe("ALL_DONE"), { timeout: 5_000, interval: 50 });
    } finally {
      await own.stop();
    }
  });

  it("keeps accounts, orders and fills across its own restart with --state", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "exchange-sim-state-")), "state.json");
    const first = await startExchangeSim([...SIM_ARGS, "--state", file]);
    const { apiKey, exchange } = await account(first);
    const filled = await buy(exchange, "cc-persisted");
    const resting = await exchange.createOrder("BTC/USDT", "limit", "buy", 0.5, 50, {
      newClientOrderId: "cc-resting",
    });
    const before = await dumpOf(apiKey, first);
    await first.stop();

    const second = await startExchangeSim([...SIM_ARGS, "--state", file]);
    try {
      const again = pointExchangeAt(
        createCcxtExchange({ apiKey, secret: `secret-${accounts}` }),
        second.base,
      );
      const found = await again.fetchOrder(undefined as unknown as string, "BTC/USDT", {
        origClientOrderId: "cc-persisted",
      });
      expect(found).toMatchObject({ id: filled.id, status: "closed", filled: 0.5 });
      expect((await again.fetchOpenOrders("BTC/USDT")).map((o) => o.id)).toEqual([resting.id]);
      const after = await dumpOf(apiKey, second);
      expect(after.balances).toEqual(before.balances);
      expect(after.fills).toEqual(before.fills);
      // New ids continue after the old ones.
      const next = await buy(again, "cc-next");
      expect(Number(next.id)).toBeGreaterThan(Number(resting.id));
    } finally {
      await second.stop();
    }
  });
});
