// The positions check through startWorker (its start run and the pg-boss job) against the exchange
// simulator as its own process: a matching account records nothing, a balance moved on the exchange is
// recorded, logged and counted and shown in plain words, and a balance put right clears it.
import { eq } from "drizzle-orm";
import pino from "pino";
import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { QUEUES } from "../../db/contracts/queues-and-channels";
import { positionChecks } from "../../db/store/schema";
import { listPositionMismatches } from "../../db/store/queries/position-checks";
import { PositionMismatches } from "../../app/components/position-mismatch";
import { startExchangeSim, type ExchangeSimProcess } from "../../test/support/exchange-sim-process";
import {
  insertExchangeAccount,
  insertStrategy,
  insertSubscriptions,
  insertUser,
  recordOpenExchangeTrades,
} from "../../test/support/store";
import { testWorkerConfig } from "../../test/support/worker/config";
import { createEmbeddedServices, type EmbeddedServices } from "../../test/support/worker/embedded-services";
import { createExchangeAccess } from "../exchange-access";
import { startWorker, type RunningWorker } from "../main";

const config = (url: string, sim: string) => testWorkerConfig(url, { exchangeUrl: sim });
let sim: ExchangeSimProcess;
let services: EmbeddedServices;
let worker: RunningWorker;
const logs: { msg: string; asset?: string; expected?: number; found?: number }[] = [];
const accounts: Record<"moved" | "steady", { id: string; apiKey: string; secret: string; userId: string }> =
  {} as never;
let strategy: { strategyId: string; versionId: string };

beforeAll(async () => {
  sim = await startExchangeSim(["--symbols", "BTC/USDT"]);
  services = await createEmbeddedServices("positions");
  const author = await insertUser(services.store, "author");
  const s = await insertStrategy(services.store, author.id, { symbols: ["BTC/USDT"] });
  strategy = { strategyId: s.id, versionId: s.versionId };
  for (const name of ["moved", "steady"] as const) {
    const user = await insertUser(services.store, name);
    const keys = { apiKey: `pos-${name}-${user.id}`, secret: `secret-${name}`, testnet: false };
    await sim.addAccount({ apiKey: keys.apiKey, secret: keys.secret, balances: { BTC: 1, USDT: 100_000 } });
    const { id } = await insertExchangeAccount(services.store, user.id, config("", "").encryptionKey, keys);
    await insertSubscriptions(services.store, s.id, 1, { userId: user.id, brokerAccountId: id });
    accounts[name] = { id, ...keys, userId: user.id };
  }
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  worker = await startWorker({
    config: config(services.store.url, sim.base),
    store: services.store,
    infra: services.infra,
    queue: services.queue,
    logger,
    options: { work: false, scheduler: false, catchUpOnStart: false, periodic: true },
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await services?.close();
  await sim?.stop();
});

const checkOf = async (accountId: string) =>
  (
    await services.store.db.select().from(positionChecks).where(eq(positionChecks.brokerAccountId, accountId))
  )[0];

/** Queues the periodic job (as its cron does) and waits until both accounts were checked after `since`. */
async function runCheck() {
  const since = Date.now();
  await services.queue.boss.send(QUEUES.positionsCheck, {});
  await vi.waitFor(
    async () => {
      for (const a of Object.values(accounts))
        expect((await checkOf(a.id))?.checkedAt).toBeGreaterThanOrEqual(since);
    },
    { timeout: 60_000, interval: 200 },
  );
}

const mismatchCount = () =>
  Number(/candlecast_position_checks_total\{outcome="mismatch"\} (\d+)/.exec(worker.metrics())?.[1] ?? 0);

it("checks at start; an account whose balances match its open trades records no difference", async () => {
  await vi.waitFor(async () => expect(await checkOf(accounts.steady.id)).toBeDefined(), { timeout: 60_000 });
  // A filled entry on the exchange: the open trade and the balance both hold 0.01 more BTC.
  const { executionId } = await recordOpenExchangeTrades(services.store, strategy, [
    {
      subscriptionId: (await services.store.db.query.subscriptions.findFirst({
        where: (t, { eq: is }) => is(t.brokerAccountId, accounts.moved.id),
      }))!.id,
      userId: accounts.moved.userId,
      brokerAccountId: accounts.moved.id,
      clientOrderId: "cc-positions-entry-1",
    },
  ]);
  const access = createExchangeAccess({
    db: services.store.db,
    encryptionKey: config("", "").encryptionKey,
    exchangeUrl: sim.base,
  });
  await access.sendOrders(executionId, pino({ level: "silent" }));
  await runCheck();
  const moved = await checkOf(accounts.moved.id);
  expect(moved).toMatchObject({ asset: "BTC", baseline: 1, differs: false });
  expect(moved.expected).toBeCloseTo(1.01, 9);
  expect(moved.found).toBeCloseTo(1.01, 9);
  expect(await checkOf(accounts.steady.id)).toMatchObject({ expected: 1, found: 1, differs: false });
  expect(await listPositionMismatches(services.store.db, accounts.moved.userId)).toEqual([]);
  expect(mismatchCount()).toBe(0);
}, 120_000);

it("a balance moved on the exchange is recorded, logged, counted and shown; put right, it clears", async () => {
  await sim.addAccount({
    apiKey: accounts.moved.apiKey,
    secret: accounts.moved.secret,
    balances: { BTC: 1.51 },
  });
  await runCheck();
  const [mismatch] = await listPositionMismatches(services.store.db, accounts.moved.userId);
  expect(mismatch).toMatchObject({ brokerAccountId: accounts.moved.id, asset: "BTC", found: 1.51 });
  expect(mismatch.expected).toBeCloseTo(1.01, 9);
  expect(await listPositionMismatches(services.store.db, accounts.steady.userId)).toEqual([]);
  expect(mismatchCount()).toBe(1);
  expect(logs.find((l) => /another quantity/.test(l.msg))).toMatchObject({ asset: "BTC", found: 1.51 });
  const html = renderToStaticMarkup(createElement(PositionMismatches, { mismatches: [mismatch] }));
  expect(html).toContain(
    "The exchange holds 1.51 BTC; your open trades say 1.01 BTC (with the 1 BTC the account held beside them at its first check). Candlecast changes nothing: check the account.",
  );
  // Never "fixed": the exchange still holds what it held.
  const dump = (await sim.orders()).find((a) => a.apiKey === accounts.moved.apiKey)!;
  expect(dump.balances.BTC.free + dump.balances.BTC.locked).toBe(1.51);

  await sim.addAccount({
    apiKey: accounts.moved.apiKey,
    secret: accounts.moved.secret,
    balances: { BTC: 1.01 },
  });
  await runCheck();
  expect(await listPositionMismatches(services.store.db, accounts.moved.userId)).toEqual([]);
  expect(await checkOf(accounts.moved.id)).toMatchObject({ differs: false, baseline: 1 });
  expect(logs.some((l) => /difference is gone/.test(l.msg))).toBe(true);
}, 120_000);
