// A backtest on exchange candles the store does not hold: the form and the API say exactly which
// candles are missing and how to fetch them, queue nothing, and the simulated market stays a choice.
import { eq } from "drizzle-orm";
import { createApiToken } from "../../db/store/queries/api-tokens";
import { insertCandles } from "../../db/store/queries/candles";
import { backtests } from "../../db/store/schema";
import { createApiHarness, type ApiHarness } from "../../test/api-harness";
import { loadRoute, postRoute, signInAs } from "../../test/app-context";
import { insertStrategy, insertUser } from "../../test/support/store";
import { simulatedCandles } from "../../worker/market-data/simulated-feed";
import * as backtestPage from "./strategies.$slug_.backtest";

const at = (iso: string) => Date.parse(`${iso}:00Z`);
const BTC = { source: "binance", symbol: "BTC/USDT", resolution: "1h" };

let h: ApiHarness;
let user: { id: string; cookie: string; token: string };
let strategy: { id: string; slug: string };

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  h.t.app.config.marketData = { source: "binance", waitBudgetMs: 2_000 };
  const u = await insertUser(h.t.store, "trader");
  const { token } = await createApiToken(h.t.store.db, u.id, "test");
  user = { id: u.id, cookie: await signInAs(h.t, u.id), token };
  strategy = await insertStrategy(h.t.store, u.id, { slug: "history-check", resolution: "1h" });
  // Stored: 2025-01-08 00:00 up to 2025-01-11 00:00, less 2025-01-09 10:00-12:00 (nothing downloaded there).
  const rows = simulatedCandles("BTC/USDT", "1h", at("2025-01-11T00:00"), 72)
    .filter((c) => c.time < at("2025-01-09T10:00") || c.time > at("2025-01-09T12:00"))
    .map((c) => ({ ...c, filled: false }));
  await insertCandles(h.t.store.db, BTC, rows);
});
afterAll(() => h.t.close());

// 2025-01-10 to 2025-01-12 is 48 bars; the version's lookback of 50 adds 49 candles of warm-up before them.
const PERIOD = { symbol: "BTC/USDT", from: "2025-01-10", to: "2025-01-12" };
const MISSING =
  "97 binance BTC/USDT 1h candles are needed, from 2025-01-07 23:00 UTC (the period and its warm-up) to 2025-01-12 00:00 UTC; " +
  "28 are missing: 2025-01-07 23:00 to 2025-01-08 00:00 UTC (1 candle), 2025-01-09 10:00 to 2025-01-09 13:00 UTC (3 candles), " +
  "2025-01-11 00:00 to 2025-01-12 00:00 UTC (24 candles). " +
  "Download them with: npm run data -- download --symbols BTC/USDT --resolution 1h --from 2025-01-07 --to 2025-01-12, " +
  'or choose the simulated market (source "simulated").';

const backtestRows = () => h.t.store.db.select().from(backtests).where(eq(backtests.userId, user.id));
const postForm = (form: Record<string, string>) =>
  postRoute(h.t, backtestPage, `/strategies/${strategy.slug}/backtest`, user.cookie, form, {
    slug: strategy.slug,
  });

describe("a backtest over a period the candle store does not cover", () => {
  it("the form names every missing range and the download line on the Candles field, and queues nothing", async () => {
    const res = await postForm({ ...PERIOD, source: "binance" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors).toEqual({ source: MISSING });
    expect(body.values).toMatchObject({ source: "binance", from: PERIOD.from, to: PERIOD.to });
    expect(await backtestRows()).toEqual([]);
  });

  it("the API answers 422 naming source with the same sentence, and queues nothing", async () => {
    const answer = await h.call("POST", `/api/v1/strategies/${strategy.id}/backtests`, {
      token: user.token,
      body: { symbol: PERIOD.symbol, from: at("2025-01-10T00:00"), to: at("2025-01-12T00:00") },
    });
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body)).toContain(JSON.stringify(MISSING));
    expect(JSON.stringify(answer.body)).toContain('"source"');
    expect(await backtestRows()).toEqual([]);
  });

  it("the page offers the stored history and the simulated market; choosing the latter queues the backtest", async () => {
    const page = await (
      await loadRoute(h.t, backtestPage, `/strategies/${strategy.slug}/backtest`, user.cookie, {
        slug: strategy.slug,
      })
    ).json();
    expect(page.marketSource).toBe("binance");
    const res = await postForm({ ...PERIOD, source: "simulated" });
    expect(res.status).toBe(302);
    expect(await backtestRows()).toMatchObject([
      { marketSource: "simulated", fromTime: at("2025-01-10T00:00"), toTime: at("2025-01-12T00:00") },
    ]);
  });

  it("once the missing candles are stored, the exchange's history is accepted", async () => {
    const all = simulatedCandles("BTC/USDT", "1h", at("2025-01-12T00:00"), 97).map((c) => ({
      ...c,
      filled: false,
    }));
    await insertCandles(h.t.store.db, BTC, all);
    expect((await postForm({ ...PERIOD, source: "binance" })).status).toBe(302);
    expect((await backtestRows()).map((b) => b.marketSource).sort()).toEqual(["binance", "simulated"]);
  });
});
