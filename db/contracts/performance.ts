// Performance statistics from closed trades and equity series: pure functions shared by live pages and backtests.
// Inputs that are not finite numbers (a corrupt row, a NaN price) are skipped, so one cannot poison every figure.

/** A closed trade as the statistics see it: when it closed and what it made (any currency unit). */
export interface ClosedTrade {
  closedAt: number;
  pnl: number;
}

export interface EquityPoint {
  /** Epoch milliseconds. */
  time: number;
  value: number;
}

// A type, not an interface: it is stored as a JSON record (schema `backtests.stats`).
export type PerformanceStats = {
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
    equity += t.pnl;
    points.push({ time: t.closedAt, value: equity });
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

/** Return, drawdown, Sharpe and Sortino of an equity series. */
export function equityStats(points: EquityPoint[]) {
  const sorted = finitePoints(points);
  if (sorted.length === 0) return { returnPct: 0, maxDrawdownPct: 0, sharpe: null, sortino: null };
  const first = sorted[0].value;
  const last = sorted[sorted.length - 1].value;
  const returns = dailyReturns(sorted);
  return {
    returnPct: first > 0 ? (last / first - 1) * 100 : 0,
    maxDrawdownPct: maxDrawdownPct(sorted.map((p) => p.value)),
    sharpe: sharpeRatio(returns),
    sortino: sortinoRatio(returns),
  };
}

/** Every statistic of a list of closed trades followed with `initialCapital`. */
export function performanceFromTrades(
  trades: ClosedTrade[],
  initialCapital: number,
  startTime?: number,
): PerformanceStats & { equity: EquityPoint[] } {
  const equity = equityFromTrades(trades, initialCapital, startTime);
  const t = tradeStats(trades.map((x) => x.pnl));
  return {
    ...equityStats(equity),
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
export function downsample(values: number[], max: number): number[] {
  const room = Math.floor(max);
  if (!(room >= 0)) throw new RangeError(`downsample: max must be a number >= 0, got ${max}`);
  if (values.length <= room) return values;
  if (room <= 1) return values.slice(values.length - room);
  const out: number[] = [];
  for (let i = 0; i < room; i++) out.push(values[Math.round((i * (values.length - 1)) / (room - 1))]);
  return out;
}
