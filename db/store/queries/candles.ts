// The candle store: closed candles of every market, keyed by (source, symbol, resolution, open time).
import { and, asc, count, desc, eq, gte, lt, max, min, sql } from "drizzle-orm";
import type { Db } from "../client";
import { writeBatch } from "../write-batch";
import type { Candle } from "../../contracts/domain";
import { candles } from "../schema";

export interface Market {
  source: string;
  symbol: string;
  resolution: string;
}

export interface StoredCandle extends Candle {
  /** The source left this candle out; it is stored flat at the previous close with volume 0. */
  filled: boolean;
}

/** 11 bound values per row; libSQL allows 32,766 per statement. */
const ROWS_PER_INSERT = 2_000;

const inMarket = (m: Market) =>
  and(eq(candles.source, m.source), eq(candles.symbol, m.symbol), eq(candles.resolution, m.resolution));

const candleColumns = {
  time: candles.time,
  open: candles.open,
  high: candles.high,
  low: candles.low,
  close: candles.close,
  volume: candles.volume,
  filled: candles.filled,
};

/** Stored candles with open time in [from, to), oldest first. */
export async function readCandles(db: Db, market: Market, from: number, to: number): Promise<StoredCandle[]> {
  return db
    .select(candleColumns)
    .from(candles)
    .where(and(inMarket(market), gte(candles.time, from), lt(candles.time, to)))
    .orderBy(asc(candles.time));
}

/** The `limit` newest stored candles of a market, oldest first. */
export async function latestCandles(db: Db, market: Market, limit: number): Promise<StoredCandle[]> {
  const rows = await db
    .select(candleColumns)
    .from(candles)
    .where(inMarket(market))
    .orderBy(desc(candles.time))
    .limit(limit);
  return rows.reverse();
}

/** The newest stored candle opening before `before` (the previous close a filled candle copies). */
export async function candleBefore(db: Db, market: Market, before: number): Promise<StoredCandle | null> {
  const [row] = await db
    .select(candleColumns)
    .from(candles)
    .where(and(inMarket(market), lt(candles.time, before)))
    .orderBy(sql`${candles.time} desc`)
    .limit(1);
  return row ?? null;
}

/**
 * Stores closed candles. A closed candle never changes, so a row already stored wins (another worker
 * or an earlier download wrote the same candle); returns how many rows were new. All rows or none: one
 * write batch (ADR 155).
 */
export async function insertCandles(db: Db, market: Market, rows: readonly StoredCandle[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserts = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT).map((c) => ({ ...market, ...c }));
    inserts.push(db.insert(candles).values(chunk).onConflictDoNothing());
  }
  const results = await writeBatch(db, inserts);
  return results!.reduce((inserted, r) => inserted + r.rowsAffected, 0);
}

export interface StoredRange extends Market {
  from: number;
  /** Open time of the newest stored candle. */
  to: number;
  count: number;
  filled: number;
}

/** One row per stored market: its first and last open time, how many candles and how many were filled. */
export async function listStoredMarkets(db: Db): Promise<StoredRange[]> {
  return db
    .select({
      source: candles.source,
      symbol: candles.symbol,
      resolution: candles.resolution,
      from: min(candles.time).mapWith(Number),
      to: max(candles.time).mapWith(Number),
      count: count(),
      filled: sql<number>`sum(${candles.filled})`.mapWith(Number),
    })
    .from(candles)
    .groupBy(candles.source, candles.symbol, candles.resolution)
    .orderBy(candles.source, candles.symbol, candles.resolution);
}
