// What a backtest on stored exchange candles lacks, said exactly: the missing ranges and the download line for them.
import type { Db } from "../client";
import { SIMULATED_SOURCE } from "../../contracts/domain";
import { missingRanges } from "./candle-gaps";
import type { Market } from "./candles";

/** Ranges named one by one; more are counted (`npm run data -- list` shows them all). */
const RANGES_NAMED = 5;
const DAY_MS = 86_400_000;

const minute = (t: number) => new Date(t).toISOString().slice(0, 16).replace("T", " ");
const date = (t: number) => new Date(t).toISOString().slice(0, 10);
const candles = (n: number) => `${n.toLocaleString("en")} candle${n === 1 ? "" : "s"}`;

/**
 * Null when every candle opening in [from, to) is stored; else one sentence naming each missing range
 * (open times, end exclusive), the `npm run data -- download` line that fetches them and the
 * simulated market as the other choice.
 */
export async function describeMissingHistory(
  db: Db,
  market: Market,
  from: number,
  to: number,
  ms: number,
): Promise<string | null> {
  const gaps = await missingRanges(db, market, ms, { from, to });
  if (gaps.length === 0) return null;
  const missing = gaps.reduce((sum, g) => sum + g.missing, 0);
  const named = gaps
    .slice(0, RANGES_NAMED)
    .map((g) => `${minute(g.from)} to ${minute(g.to + ms)} UTC (${candles(g.missing)})`);
  if (gaps.length > RANGES_NAMED)
    named.push(`${gaps.length - RANGES_NAMED} more ranges (npm run data -- list)`);
  const { source, symbol, resolution } = market;
  // Whole UTC days around the missing candles: the download skips what is already stored.
  const downloadTo = Math.ceil((gaps.at(-1)!.to + ms) / DAY_MS) * DAY_MS;
  return (
    `${((to - from) / ms).toLocaleString("en")} ${source} ${symbol} ${resolution} candles are needed, from ${minute(from)} UTC (the period and its warm-up) to ${minute(to)} UTC; ` +
    `${missing.toLocaleString("en")} are missing: ${named.join(", ")}. ` +
    `Download them with: npm run data -- download --symbols ${symbol} --resolution ${resolution} --from ${date(gaps[0].from)} --to ${date(downloadTo)}, ` +
    `or choose the simulated market (source "${SIMULATED_SOURCE}").`
  );
}
