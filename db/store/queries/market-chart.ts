// The market chart's reads: one market's newest candles, the strategy's signals and a subscription's trades on them.
import { and, between, desc, eq, inArray, or } from "drizzle-orm";
import type { Db } from "../client";
import { RESOLUTION_MS, type Resolution } from "../../contracts/domain";
import {
  CHART_CANDLES,
  type ChartSignal,
  type ChartTrade,
  type MarketChartData,
} from "../../contracts/market-chart";
import { executions, trades } from "../schema";
import { latestCandles } from "./candles";

const ACTING_SIGNALS: ChartSignal["signal"][] = ["BUY", "SELL", "CLOSE"];

export interface ChartRequest {
  strategyId: string;
  symbol: string;
  symbols: string[];
  resolution: Resolution;
  /** The deployment's MARKET_DATA source, for a market no execution has read yet. */
  fallbackSource: string;
  /** Whose entries and exits to mark; the trades are read for this user only. */
  subscription?: { userId: string; id: string };
}

/** The source the strategy's most recent execution read its candles from (any of its markets). */
async function latestExecutionSource(db: Db, strategyId: string): Promise<string | null> {
  const [row] = await db
    .select({ source: executions.marketSource })
    .from(executions)
    .where(eq(executions.strategyId, strategyId))
    .orderBy(desc(executions.closeTime))
    .limit(1);
  return row?.source ?? null;
}

/** BUY, SELL and CLOSE of completed executions closing in [fromClose, toClose], oldest first. */
async function listChartSignals(
  db: Db,
  r: ChartRequest,
  fromClose: number,
  toClose: number,
): Promise<ChartSignal[]> {
  const rows = await db
    .select({ closeTime: executions.closeTime, signal: executions.signal, price: executions.price })
    .from(executions)
    .where(
      and(
        eq(executions.strategyId, r.strategyId),
        eq(executions.symbol, r.symbol),
        eq(executions.resolution, r.resolution),
        between(executions.closeTime, fromClose, toClose),
        eq(executions.status, "COMPLETED"),
        inArray(executions.signal, ACTING_SIGNALS),
      ),
    )
    .orderBy(executions.closeTime);
  return rows as ChartSignal[];
}

/** The subscription's positions on the symbol opened or closed in [fromClose, toClose], oldest first. */
async function listChartTrades(
  db: Db,
  subscription: { userId: string; id: string },
  symbol: string,
  fromClose: number,
  toClose: number,
): Promise<ChartTrade[]> {
  const rows = await db
    .select({
      id: trades.id,
      side: trades.side,
      entryPrice: trades.entryPrice,
      openedAt: trades.openedAt,
      exitPrice: trades.exitPrice,
      closedAt: trades.closedAt,
      exitReason: trades.exitReason,
    })
    .from(trades)
    .where(
      and(
        eq(trades.subscriptionId, subscription.id),
        eq(trades.userId, subscription.userId),
        inArray(trades.status, ["open", "closed"]),
        eq(trades.symbol, symbol),
        or(between(trades.openedAt, fromClose, toClose), between(trades.closedAt, fromClose, toClose)),
      ),
    )
    .orderBy(trades.openedAt, trades.id);
  return rows.filter((t): t is ChartTrade => t.side !== null);
}

/**
 * Everything the chart draws, in at most four indexed reads: the source (the strategy's latest
 * execution, else the deployment's), its newest candles by primary key, then the signals (by the
 * executions' candle key) and the subscription's trades (by subscription) inside their close times.
 */
export async function readMarketChart(db: Db, r: ChartRequest): Promise<MarketChartData> {
  const source = (await latestExecutionSource(db, r.strategyId)) ?? r.fallbackSource;
  const market = { source, symbol: r.symbol, resolution: r.resolution };
  const candles = await latestCandles(db, market, CHART_CANDLES);
  const base = { symbol: r.symbol, symbols: r.symbols, resolution: r.resolution, source, candles };
  if (candles.length === 0) return { ...base, signals: [], trades: r.subscription ? [] : null };
  const ms = RESOLUTION_MS[r.resolution];
  const fromClose = candles[0].time + ms;
  const toClose = candles[candles.length - 1].time + ms;
  const [signals, chartTrades] = await Promise.all([
    listChartSignals(db, r, fromClose, toClose),
    r.subscription ? listChartTrades(db, r.subscription, r.symbol, fromClose, toClose) : null,
  ]);
  return { ...base, signals, trades: chartTrades };
}
