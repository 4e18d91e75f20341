// Performance statistics from closed trades and equity series: pure functions shared by live pages and backtests.
// Inputs that are not finite numbers (a corrupt row, a NaN price) are skipped, so one cannot poison every figure.

/** A closed trade as the statistics see it: when it closed and what it made (any currency unit). */
export interface ClosedTrade {
  closedAt: number;
  pnl: number;
  /** When it opened: exposure time counts the time from here to `closedAt`. */
  openedAt?: number;
}

export interface EquityPoint {
  /** Epoch milliseconds. */
  time: number;
  value: number;
}

/**
 * Which equity curve the return, drawdown, Sharpe, Sortino, CAGR and Calmar are on: `marked` (to
 * market at each close, ADR 127) or `closed` (the equity after each closed trade).
 */
export type EquityBasis = "marked" | "closed";

// A type, not an interface: it is stored as a JSON record (schema `backtests.stats`).
export type PerformanceStats = {
  equityBasis: EquityBasis;
  /** Last equity over first equity, in percent. */
  returnPct: number;
  /** Winning trades over all trades, 0-1; null without trades. */
  winRate: number | null;
  /** Annualised from daily returns (see DAYS_PER_YEAR); null with fewer than two days or no variation. */
  sharpe: number | null;
  sortino: number | null;
  /** Largest fall from a running peak, in percent of that peak (a positive number). */
  maxDrawdownPct: number;
  /** Gross profit over gross loss; null when there is no losing trade (undefined ratio). */
  profitFactor: number | null;
  trades: number;
  /** Drawdown of the equity after each closed trade only, in percent (0 for a trade that dipped and recovered). */
  closedMaxDrawdownPct: number;
  /** Compound annual growth rate in percent over the curve's span (365-day years); null under one day. */
  cagrPct: number | null;
  /** CAGR over max drawdown (both as fractions); null without a drawdown or a CAGR. */
  calmar: number | null;
  /** Share of the period with a position open, in percent; null without a period. */
  exposurePct: number | null;
  /** Mean, best and worst trade P&L in percent of the initial capital; null without trades. */
  avgTradePct: number | null;
  bestTradePct: number | null;
  worstTradePct: number | null;
  /** Longest run of losing trades (P&L <= 0) in close order. */
  maxConsecutiveLosses: number;
  /** Van Tharp's System Quality Number: √trades × mean / sample SD of the trades' P&L; null under two trades. */
  sqn: number | null;
};

/** Crypto markets trade every day: Sharpe and Sortino are annualised with sqrt(365), risk-free rate 0. */
export const DAYS_PER_YEAR = 365;
const DAY_MS = 86_400_000;
/**
 * A standard deviation of daily returns at or below this counts as none: identical returns differ by
 * float noise (three returns of 0.01 have a deviation of ~1e-18 and would give a Sharpe of ~1e16).
 */
export const ZERO_DEVIATION = 1e-12;

const isFiniteNumber = (x: number) => Number.isFinite(x);

/**
 * The equity after each closed trade, starting from `initialCapital` (P&L adds up: position sizes
 * follow the configured capital, not the running equity). The first point is the start, at
 * `startTime` or the first close.
 */
export function equityFromTrades(
  trades: ClosedTrade[],
  initialCapital: number,
  startTime?: number,
): EquityPoint[] {
  const sorted = trades
    .filter((t) => isFiniteNumber(t.closedAt) && isFiniteNumber(t.pnl))
    .sort((a, b) => a.closedAt - b.closedAt);
  if (sorted.length === 0) return [];
  const points: EquityPoint[] = [{ time: startTime ?? sorted[0].closedAt, value: initialCapital }];
  let equity = initialCapital;
  for (const t of sorted) {
    equity = flooredEquity(equity, equity + t.pnl);
    points.push({ time: t.closedAt, value: equity });
  }
  return points;
}

/**
 * Equity never goes below 0, and once at 0 stays there: an account that has lost everything cannot
 * trade its way back (with isolated margin it cannot lose more than it holds; ADR 125).
 */
function flooredEquity(previous: number, next: number): number {
  return previous <= 0 ? 0 : Math.max(next, 0);
}

/** A position for marking to market: realised `pnl` from `closedAt` on, before that `perUnit` × price − `offset`. */
export interface MarkedPosition {
  symbol: string;
  openedAt: number;
  /** null while the position is open. */
  closedAt: number | null;
  pnl: number;
  /** Unrealised P&L at price p is perUnit × p − offset (long: quantity, quantity × entry + entry fee). */
  perUnit: number;
  offset: number;
}

/** A market's close at a time: where open positions are valued. */
export interface Mark {
  time: number;
  symbol: string;
  price: number;
}

/**
 * Equity marked to market at each mark's time (ADR 127): the initial capital, plus the P&L of the
 * positions closed by then, plus the open ones valued at their market's latest close (exit fees not
 * deducted until the exit). A position is open from `openedAt` (inclusive) to `closedAt` (exclusive).
 * Floored at 0 like the closed-trade curve; the first point is `startTime` at the initial capital.
 */
export function markedEquity(
  initialCapital: number,
  positions: readonly MarkedPosition[],
  marks: readonly Mark[],
  startTime?: number,
): EquityPoint[] {
  const valid = positions.filter(
    (p) =>
      isFiniteNumber(p.openedAt) &&
      isFiniteNumber(p.pnl) &&
      isFiniteNumber(p.perUnit) &&
      isFiniteNumber(p.offset) &&
      (p.closedAt === null || isFiniteNumber(p.closedAt)),
  );
  const byTime = [...marks]
    .filter((m) => isFiniteNumber(m.time) && isFiniteNumber(m.price))
    .sort((a, b) => a.time - b.time);
  const opening = [...valid].sort((a, b) => a.openedAt - b.openedAt);
  const closing = valid
    .filter((p) => p.closedAt !== null)
    .sort((a, b) => (a.closedAt as number) - (b.closedAt as number));
  const lastPrice = new Map<string, number>();
  const open = new Set<MarkedPosition>();
  const points: EquityPoint[] = [];
  if (startTime !== undefined && isFiniteNumber(startTime))
    points.push({ time: startTime, value: initialCapital });
  let realised = initialCapital;
  let equity = initialCapital;
  let o = 0;
  let c = 0;
  for (let i = 0; i < byTime.length;) {
    const t = byTime[i].time;
    for (; i < byTime.length && byTime[i].time === t; i++) lastPrice.set(byTime[i].symbol, byTime[i].price);
    for (; o < opening.length && opening[o].openedAt <= t; o++) open.add(opening[o]);
    for (; c < closing.length && (closing[c].closedAt as number) <= t; c++) {
      realised += closing[c].pnl;
      open.delete(closing[c]);
    }
    let unrealised = 0;
    for (const p of open) {
      const price = lastPrice.get(p.symbol);
      if (price !== undefined) unrealised += p.perUnit * price - p.offset;
    }
    equity = flooredEquity(equity, realised + unrealised);
    points.push({ time: t, value: equity });
  }
  return points;
}

/** Win rate, profit factor and count over trade results (P&L or returns: only signs and sums matter). */
export function tradeStats(allResults: number[]) {
  const results = allResults.filter(isFiniteNumber);
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const r of results) {
    if (r > 0) {
      wins += 1;
      grossProfit += r;
    } else if (r < 0) {
      grossLoss -= r;
    }
  }
  return {
    trades: results.length,
    winRate: results.length === 0 ? null : wins / results.length,
    profitFactor: grossLoss === 0 ? null : grossProfit / grossLoss,
  };
}

/**
 * Largest peak-to-trough fall in percent of the peak (0 when the series never falls). Capped at 100:
 * equity below zero has lost everything, and a larger figure would read as a meaningless ratio.
 */
export function maxDrawdownPct(values: number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const v of values.filter(isFiniteNumber)) {
    if (v > peak) peak = v;
    else if (peak > 0) worst = Math.max(worst, (peak - v) / peak);
  }
  return Math.min(worst, 1) * 100;
}

/**
 * Simple returns of the equity at each UTC day's close, from the first point's day to the last
 * point's day; a day without a point carries the previous equity (a 0 return). A return is never
 * below -1 (all is lost), and a day that starts at or below zero equity has none (0).
 */
export function dailyReturns(points: EquityPoint[]): number[] {
  const sorted = finitePoints(points);
  if (sorted.length === 0) return [];
  const closes = new Map<number, number>();
  for (const p of sorted) closes.set(Math.floor(p.time / DAY_MS), p.value);
  const first = Math.floor(sorted[0].time / DAY_MS);
  const last = Math.floor(sorted[sorted.length - 1].time / DAY_MS);
  const returns: number[] = [];
  // The day before the first point closes at the starting equity.
  let previous = sorted[0].value;
  for (let day = first; day <= last; day++) {
    const close = closes.get(day) ?? previous;
    returns.push(previous > 0 ? Math.max(close / previous - 1, -1) : 0);
    previous = close;
  }
  return returns;
}

function finitePoints(points: EquityPoint[]): EquityPoint[] {
  return points
    .filter((p) => isFiniteNumber(p.time) && isFiniteNumber(p.value))
    .sort((a, b) => a.time - b.time);
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** A ratio of mean return to a deviation, annualised; null when undefined (too few periods, no deviation). */
function annualisedRatio(
  returns: number[],
  deviation: (rs: number[], m: number) => number,
  periodsPerYear: number,
) {
  const rs = returns.filter(isFiniteNumber);
  if (rs.length < 2 || !(periodsPerYear > 0)) return null;
  const m = mean(rs);
  const d = deviation(rs, m);
  if (!(d > ZERO_DEVIATION)) return null;
  const ratio = (m / d) * Math.sqrt(periodsPerYear);
  return Number.isFinite(ratio) ? ratio : null;
}

const sampleDeviation = (rs: number[], m: number) =>
  Math.sqrt(rs.reduce((s, r) => s + (r - m) ** 2, 0) / (rs.length - 1));
const downsideDeviation = (rs: number[]) =>
  Math.sqrt(rs.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / rs.length);

/** Mean over sample standard deviation, times sqrt(periodsPerYear). */
export function sharpeRatio(returns: number[], periodsPerYear = DAYS_PER_YEAR): number | null {
  return annualisedRatio(returns, sampleDeviation, periodsPerYear);
}

/** Mean over downside deviation (root mean square of the negative returns over ALL periods), annualised. */
export function sortinoRatio(returns: number[], periodsPerYear = DAYS_PER_YEAR): number | null {
  return annualisedRatio(returns, downsideDeviation, periodsPerYear);
}

/**
 * Compound annual growth rate in percent: (last / first)^(365 days / span) − 1. Null when the span is
 * under a day (a few hours' return raised to a yearly power means nothing) or the start is not positive.
 */
export function cagrPct(points: EquityPoint[]): number | null {
  const sorted = finitePoints(points);
  if (sorted.length < 2) return null;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const years = (last.time - first.time) / DAY_MS / DAYS_PER_YEAR;
  if (!(first.value > 0) || !(years >= 1 / DAYS_PER_YEAR)) return null;
  if (last.value <= 0) return -100;
  const growth = (last.value / first.value) ** (1 / years) - 1;
  return Number.isFinite(growth) ? growth * 100 : null;
}

/** CAGR over the maximum drawdown, both as fractions; null when either is undefined or the drawdown is 0. */
export function calmarRatio(cagr: number | null, drawdownPct: number): number | null {
  if (cagr === null || !(drawdownPct > 0) || !Number.isFinite(cagr)) return null;
  const ratio = cagr / drawdownPct;
  return Number.isFinite(ratio) ? ratio : null;
}

/**
 * Percent of [start, end] during which at least one position was open (overlapping positions count
 * once). Trades without a finite `openedAt` are left out; null when the period is empty.
 */
export function exposurePct(trades: ClosedTrade[], start: number, end: number): number | null {
  if (!(end > start) || !isFiniteNumber(start) || !isFiniteNumber(end)) return null;
  const spans = trades
    .filter((t) => t.openedAt !== undefined && isFiniteNumber(t.openedAt) && isFiniteNumber(t.closedAt))
    .map((t) => [Math.max(t.openedAt as number, start), Math.min(t.closedAt, end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = start;
  for (const [a, b] of spans) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return (covered / (end - start)) * 100;
}

/**
 * Per-trade figures over P&Ls in close order: mean, best and worst in percent of `capital`, the longest
 * losing run (P&L <= 0, as ADR 033 counts a break-even), and the SQN. Non-finite P&Ls are skipped.
 */
export function tradeFigures(pnls: number[], capital: number) {
  const results = pnls.filter(isFiniteNumber);
  let run = 0;
  let maxConsecutiveLosses = 0;
  for (const r of results) {
    run = r <= 0 ? run + 1 : 0;
    maxConsecutiveLosses = Math.max(maxConsecutiveLosses, run);
  }
  const pct = (x: number) => (capital > 0 && Number.isFinite(x / capital) ? (x / capital) * 100 : null);
  if (results.length === 0) {
    return { avgTradePct: null, bestTradePct: null, worstTradePct: null, maxConsecutiveLosses, sqn: null };
  }
  const m = mean(results);
  return {
    avgTradePct: pct(m),
    bestTradePct: pct(Math.max(...results)),
    worstTradePct: pct(Math.min(...results)),
    maxConsecutiveLosses,
    sqn: systemQualityNumber(results, capital),
  };
}

/** √n × mean / sample SD of the trades' P&L, taken in percent of capital so the zero test is scale-free. */
function systemQualityNumber(results: number[], capital: number): number | null {
  if (results.length < 2 || !(capital > 0)) return null;
  const rs = results.map((r) => r / capital);
  const m = mean(rs);
  const d = sampleDeviation(rs, m);
  if (!(d > ZERO_DEVIATION)) return null;
  const sqn = (Math.sqrt(rs.length) * m) / d;
  return Number.isFinite(sqn) ? sqn : null;
}

/** Return, drawdown, CAGR, Calmar, Sharpe and Sortino of an equity series. */
export function equityStats(points: EquityPoint[]) {
  const sorted = finitePoints(points);
  if (sorted.length === 0) {
    return { returnPct: 0, maxDrawdownPct: 0, sharpe: null, sortino: null, cagrPct: null, calmar: null };
  }
  const first = sorted[0].value;
  const last = sorted[sorted.length - 1].value;
  const returns = dailyReturns(sorted);
  const drawdown = maxDrawdownPct(sorted.map((p) => p.value));
  const cagr = cagrPct(sorted);
  return {
    // Below zero everything is lost: −100 %, never a larger loss (ADR 125).
    returnPct: first > 0 ? (Math.max(last, 0) / first - 1) * 100 : 0,
    maxDrawdownPct: drawdown,
    sharpe: sharpeRatio(returns),
    sortino: sortinoRatio(returns),
    cagrPct: cagr,
    calmar: calmarRatio(cagr, drawdown),
  };
}

/**
 * The curve stored or sent statistics are on. Backtests stored before `equityBasis` existed have none:
 * with a `closedMaxDrawdownPct` (ADR 127 on) they were marked, without one they are closed-trade figures.
 */
export function equityBasisOf(stats: { equityBasis?: unknown; closedMaxDrawdownPct?: unknown }): EquityBasis {
  if (stats.equityBasis === "marked" || stats.equityBasis === "closed") return stats.equityBasis;
  return typeof stats.closedMaxDrawdownPct === "number" ? "marked" : "closed";
}

/**
 * Every statistic of a list of closed trades followed with `initialCapital`. With `marked` (the equity
 * marked to market at each close, see markedEquity) the equity figures and the returned curve are the
 * marked ones (`equityBasis` says which); `closedMaxDrawdownPct` is always the closed-trade curve's. `endTime` closes the period
 * exposure is measured over (default: the last equity point).
 */
export function performanceFromTrades(
  trades: ClosedTrade[],
  initialCapital: number,
  startTime?: number,
  options: { marked?: EquityPoint[]; endTime?: number } = {},
): PerformanceStats & { equity: EquityPoint[] } {
  const closedEquity = equityFromTrades(trades, initialCapital, startTime);
  const equity = options.marked ?? closedEquity;
  const t = tradeStats(trades.map((x) => x.pnl));
  const inOrder = trades
    .filter((x) => isFiniteNumber(x.closedAt))
    .sort((a, b) => a.closedAt - b.closedAt)
    .map((x) => x.pnl);
  const start = startTime ?? equity[0]?.time ?? NaN;
  const end = options.endTime ?? equity[equity.length - 1]?.time ?? NaN;
  return {
    equityBasis: options.marked ? "marked" : "closed",
    ...equityStats(equity),
    closedMaxDrawdownPct: maxDrawdownPct(closedEquity.map((p) => p.value)),
    exposurePct: exposurePct(trades, start, end),
    ...tradeFigures(inOrder, initialCapital),
    winRate: t.winRate,
    profitFactor: t.profitFactor,
    trades: t.trades,
    equity,
  };
}

/**
 * At most `max` evenly spaced values of a series, keeping the first and the last (for sparklines);
 * with room for one value only, the last (the latest). `max` is rounded down; below 0 it is an error.
 */
export function downsample<T>(values: T[], max: number): T[] {
  const room = Math.floor(max);
  if (!(room >= 0)) throw new RangeError(`downsample: max must be a number >= 0, got ${max}`);
  if (values.length <= room) return values;
  if (room <= 1) return values.slice(values.length - room);
  const out: T[] = [];
  for (let i = 0; i < room; i++) out.push(values[Math.round((i * (values.length - 1)) / (room - 1))]);
  return out;
}
