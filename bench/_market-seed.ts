// Bulk marketplace data for the web bench and the visitor journey: realistic strategies, cached figures, some real trades.
import { sql } from "drizzle-orm";
import type { Db } from "../db/store/client";
import { newId } from "../db/platform/ids";
import { refreshStrategyPerformance } from "../db/store/queries/marketplace";
import {
  brokerAccounts,
  executions,
  strategies,
  strategySymbols,
  strategyTags,
  strategyVersions,
  subscriptions,
  trades,
  users,
} from "../db/store/schema";
import { TEST_PASSWORD_HASH } from "../test/support/store";
import { riskSettingsSchema, RISK_DEFAULTS_INPUT } from "../db/contracts/validation/risk-settings";
import { mulberry32 } from "../worker/runtime/sample-candles";

const STYLES = [
  "Momentum",
  "Mean Reversion",
  "Breakout",
  "Trend",
  "Scalping",
  "Swing",
  "Volatility",
  "Grid",
  "Carry",
  "Range",
];
const ENGINES = [
  "EMA Cross",
  "RSI",
  "MACD",
  "Bollinger",
  "Donchian",
  "Keltner",
  "Ichimoku",
  "SuperTrend",
  "VWAP",
  "ATR Channel",
  "Stochastic",
  "Heikin-Ashi",
];
const FLAVOURS = [
  "Pro",
  "Lite",
  "Adaptive",
  "Classic",
  "Turbo",
  "Steady",
  "Night Owl",
  "Sentinel",
  "Compass",
  "Falcon",
  "Harbor",
  "Atlas",
];
const TAGS = [
  "trend",
  "momentum",
  "mean-reversion",
  "breakout",
  "scalping",
  "swing",
  "volatility",
  "low-risk",
  "high-frequency",
  "long-only",
  "multi-asset",
  "ml",
];
const SYMBOLS = [
  "BTC/USDT",
  "ETH/USDT",
  "SOL/USDT",
  "BNB/USDT",
  "XRP/USDT",
  "ADA/USDT",
  "DOGE/USDT",
  "AVAX/USDT",
  "LINK/USDT",
  "DOT/USDT",
];
const RESOLUTIONS = ["1m", "5m", "15m", "1h", "4h", "1d"] as const;
const AUTHORS = [
  "Northwind Quant",
  "Ada Lovelace",
  "Kestrel Capital",
  "Mira Chen",
  "Blue Reef Labs",
  "Tomás Ortega",
  "Quiet Alpha",
  "Priya Natarajan",
];

const CHUNK = 500;
async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

export interface MarketSeedOptions {
  count: number;
  /** Strategies (the first ones) that get real subscriptions, executions and closed trades. */
  withTrades?: number;
  seed?: number;
  /** Newest strategy's creation time; the others go back one hour each. */
  now?: number;
}

/** Inserts `count` public strategies with versions, tags, symbols and cached performance figures. */
export async function seedMarketplace(db: Db, opts: MarketSeedOptions) {
  // mulberry32: a seeded generator, so every run seeds the same marketplace.
  const rand = mulberry32(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const now = opts.now ?? Date.now();

  const authorRows = AUTHORS.map((name, i) => ({
    id: newId(),
    email: `market-author-${i}-${newId().slice(-8)}@candlecast.dev`,
    name,
    passwordHash: TEST_PASSWORD_HASH,
  }));
  await db.insert(users).values(authorRows);

  const strategyRows: (typeof strategies.$inferInsert)[] = [];
  const versionRows: (typeof strategyVersions.$inferInsert)[] = [];
  const tagRows: { strategyId: string; tag: string }[] = [];
  const symbolRows: { strategyId: string; symbol: string }[] = [];
  for (let i = 0; i < opts.count; i++) {
    const id = newId();
    const versionId = newId();
    const style = pick(STYLES);
    const engine = pick(ENGINES);
    const name = `${engine} ${style} ${pick(FLAVOURS)}`;
    const symbols = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(SYMBOLS)))];
    const tags = [...new Set([style.toLowerCase().replace(" ", "-"), pick(TAGS), pick(TAGS)])].filter(
      (t) => TAGS.includes(t) || t === "trend",
    );
    const resolution = pick(RESOLUTIONS);
    // Heavy-tailed: most strategies have a handful of subscribers, a few have thousands.
    const subscriberCount = Math.floor(Math.exp(rand() * 8) - 1);
    const tradesCount = Math.floor(rand() * 400);
    const drift = (rand() - 0.45) * 0.8;
    let equity = 100;
    const sparkline = [100];
    for (let p = 1; p < 32 && tradesCount > 0; p++) {
      equity = Math.max(5, equity * (1 + drift / 32 + (rand() - 0.5) * 0.04));
      sparkline.push(Math.round(equity * 100) / 100);
    }
    strategyRows.push({
      id,
      slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${i}`,
      name,
      description: `${style} on ${symbols.join(", ")} ${resolution} candles, entries from ${engine}. Position size follows your risk per trade and an ATR stop.`,
      authorId: authorRows[i % authorRows.length].id,
      visibility: "public",
      latestVersionId: versionId,
      resolution,
      symbols,
      tags,
      subscriberCount,
      returnPct: tradesCount > 0 ? equity - 100 : 0,
      tradesCount,
      winRate: tradesCount > 0 ? 0.35 + rand() * 0.3 : null,
      sparkline: tradesCount > 0 ? sparkline : [],
      createdAt: now - i * 3_600_000,
      updatedAt: now - i * 3_600_000,
    });
    versionRows.push({
      id: versionId,
      strategyId: id,
      version: "1.0.0",
      versionRank: 1_000_000,
      code: "from candlecast import Strategy, Signal\n\nclass S(Strategy):\n    def on_candle(self, candles, **kwargs):\n        return Signal.hold()\n",
      symbols,
      resolution,
      lookback: 100,
      changelog: "First release.",
      status: "published",
      publishedAt: now - i * 3_600_000,
    });
    for (const tag of tags) tagRows.push({ strategyId: id, tag });
    for (const symbol of symbols) symbolRows.push({ strategyId: id, symbol });
  }
  await db.transaction(async (tx) => {
    await insertChunked(strategyRows, (c) => tx.insert(strategies).values(c));
    await insertChunked(versionRows, (c) => tx.insert(strategyVersions).values(c));
    await insertChunked(tagRows, (c) => tx.insert(strategyTags).values(c));
    await insertChunked(symbolRows, (c) => tx.insert(strategySymbols).values(c));
  });

  const traded = strategyRows.slice(0, opts.withTrades ?? 0);
  for (const s of traded)
    await seedClosedTrades(db, s.id!, s.symbols![0], s.resolution!, s.latestVersionId!, rand, now);
  return {
    strategies: strategyRows.length,
    authors: authorRows.length,
    traded: traded.map((s) => ({ slug: s.slug, name: s.name })),
  };
}

/** 40 daily round trips for three subscribers, then the cached card figures from them. */
async function seedClosedTrades(
  db: Db,
  strategyId: string,
  symbol: string,
  resolution: string,
  versionId: string,
  rand: () => number,
  now: number,
) {
  const settings = riskSettingsSchema.parse(RISK_DEFAULTS_INPUT);
  const subs = Array.from({ length: 3 }, () => ({ userId: newId(), brokerId: newId(), id: newId() }));
  await db.insert(users).values(
    subs.map((s) => ({
      id: s.userId,
      email: `follower-${s.userId}@candlecast.dev`,
      name: "Follower",
      passwordHash: TEST_PASSWORD_HASH,
    })),
  );
  await db
    .insert(brokerAccounts)
    .values(
      subs.map((s) => ({ id: s.brokerId, userId: s.userId, name: "Paper account", kind: "paper" as const })),
    );
  await db
    .insert(subscriptions)
    .values(
      subs.map((s) => ({ id: s.id, userId: s.userId, strategyId, brokerAccountId: s.brokerId, ...settings })),
    );
  const day = 86_400_000;
  const start = Math.floor(now / day) * day - 40 * day;
  const executionRows = [];
  const tradeRows = [];
  const edge = (rand() - 0.4) * 8;
  for (let d = 0; d < 40; d++) {
    const entry = { id: newId(), closeTime: start + d * day, signal: "BUY" };
    const exit = { id: newId(), closeTime: start + d * day + day / 2, signal: "CLOSE" };
    for (const e of [entry, exit]) {
      executionRows.push({
        id: e.id,
        strategyId,
        versionId,
        symbol,
        resolution,
        closeTime: e.closeTime,
        status: "COMPLETED" as const,
        signal: e.signal,
        price: 100,
        subscriberCount: 3,
        tradesCreated: e === entry ? 3 : 0,
        startedAt: e.closeTime,
        finishedAt: e.closeTime + 40,
      });
    }
    const pnl = edge + (rand() - 0.5) * 30;
    for (const s of subs) {
      tradeRows.push({
        id: newId(),
        subscriptionId: s.id,
        executionId: entry.id,
        userId: s.userId,
        strategyId,
        symbol,
        side: "LONG" as const,
        status: "closed" as const,
        quantity: 1,
        entryPrice: 100,
        exitPrice: 100 + pnl,
        pnl: pnl * (0.9 + rand() * 0.2),
        exitReason: "signal",
        exitExecutionId: exit.id,
        openedAt: entry.closeTime,
        closedAt: exit.closeTime,
      });
    }
  }
  await db.insert(executions).values(executionRows);
  await db.insert(trades).values(tradeRows);
  await db.run(sql`UPDATE strategies SET subscriber_count = subscriber_count + 3 WHERE id = ${strategyId}`);
  await refreshStrategyPerformance(db, strategyId);
}
