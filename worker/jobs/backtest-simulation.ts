// Replays a strategy's signals over history through the live risk and paper-broker code: trades, equity and stats.
import { utcDayStart, type Candle, type Signal } from "../../db/contracts/domain";
import type { BacktestStats, BacktestTrade } from "../../db/store/queries/backtests";
import {
  downsample,
  markedEquity,
  performanceFromTrades,
  type MarkedPosition,
} from "../../db/contracts/performance";
import {
  checkExits,
  closeTrade,
  DEFAULT_PAPER_CONFIG,
  fillEntry,
  fillExit,
  type PaperConfig,
  type PaperTrade,
} from "../brokers/paper";
import { atr } from "../risk/atr";
import { PAPER_LIMITS } from "../fan-out";
import { sizePosition, type MarketLimits, type RiskSettings } from "../risk/size-position";

/** The live coordinator reads max(30, lookback) candles and computes ATR over all of them (worker/coordinator.ts ATR_WINDOW). */
export const LIVE_ATR_WINDOW = 30;
export { PAPER_LIMITS };
/** The stored curve keeps at most this many points (evenly spaced, first and last kept); stats use every close. */
export const MAX_EQUITY_POINTS = 2_000;

export interface SimulationInput {
  symbol: string;
  /** Oldest first; candles before `first` only feed the ATR window. */
  candles: readonly Candle[];
  /** One signal per candle from `first` on: signals[k] is the strategy's decision at the close of candles[first + k]. */
  signals: readonly Signal[];
  first: number;
  resolutionMs: number;
  /** The version's lookback: ATR is computed over the same window live execution reads, max(30, lookback) candles. */
  lookback: number;
  settings: RiskSettings;
  paper?: PaperConfig;
  limits?: MarketLimits;
}

export interface SimulationResult {
  trades: BacktestTrade[];
  equity: [number, number][];
  stats: BacktestStats;
}

interface OpenTrade extends PaperTrade {
  tradeId: string;
  symbol: string;
  entryFee: number;
}

/**
 * At each close, as live: first the stops and targets of positions opened earlier are checked on the
 * new candle, then the signal goes through `sizePosition` and the paper fills. Positions still open
 * at the end are closed at the last close (exit reason "end_of_period"), so every result is realised.
 * The equity curve is marked to market at every close (ADR 127).
 */
export function simulateBacktest(input: SimulationInput): SimulationResult {
  const cfg = input.paper ?? DEFAULT_PAPER_CONFIG;
  const limits = input.limits ?? PAPER_LIMITS;
  const { candles, symbol, settings } = input;
  const open: OpenTrade[] = [];
  const closed: BacktestTrade[] = [];
  const pnlByDay = new Map<number, number>();
  const positions: MarkedPosition[] = [];
  let realised = 0;
  let nextId = 1;
  const window = Math.max(LIVE_ATR_WINDOW, input.lookback);

  /** `bookedAt` picks the daily-loss day: a stop's or target's candle's open time (ADR 032), else `at`. */
  const close = (trade: OpenTrade, exitPrice: number, reason: string, at: number, bookedAt = at) => {
    const result = closeTrade(
      trade,
      exitPrice,
      reason === "end_of_period" ? "signal_close" : (reason as never),
      cfg,
    );
    open.splice(open.indexOf(trade), 1);
    realised += result.pnl;
    const direction = trade.side === "LONG" ? 1 : -1;
    positions.push({
      symbol,
      openedAt: trade.openedAt,
      closedAt: at,
      pnl: result.pnl,
      perUnit: direction * trade.quantity,
      offset: direction * trade.quantity * trade.entryPrice + trade.entryFee,
    });
    const day = utcDayStart(bookedAt);
    pnlByDay.set(day, (pnlByDay.get(day) ?? 0) + result.pnl);
    closed.push({
      side: trade.side,
      quantity: trade.quantity,
      entryPrice: trade.entryPrice,
      exitPrice: result.exitPrice,
      stopLoss: trade.stopLoss,
      takeProfit: trade.takeProfit,
      openedAt: trade.openedAt,
      closedAt: at,
      pnl: result.pnl,
      fees: trade.entryFee + result.exitFee,
      exitReason: reason,
    });
  };

  for (let i = input.first; i < candles.length; i++) {
    const candle = candles[i];
    const closeTime = candle.time + input.resolutionMs;
    for (const trade of [...open]) {
      const exit = checkExits(trade, candle, cfg);
      if (exit) close(trade, exit.exitPrice, exit.reason, closeTime, candle.time);
    }
    const signal = input.signals[i - input.first];
    const decisions = sizePosition({
      signal,
      symbol,
      entryPrice: candle.close,
      atr: atr(candles.slice(Math.max(0, i - window + 1), i + 1)),
      settings,
      state: {
        openPositions: open.map((t) => ({ ...t })),
        realizedPnlTodayUtc: pnlByDay.get(utcDayStart(closeTime)) ?? 0,
        realizedPnlTotal: realised,
      },
      limits,
      costs: cfg,
    });
    for (const d of decisions) {
      if (d.kind === "close") {
        const trade = open.find((t) => t.tradeId === d.tradeId);
        if (trade) close(trade, fillExit(trade.side, candle.close, cfg), d.reason, closeTime);
      } else if (d.kind === "open") {
        const fill = fillEntry(d, cfg);
        open.push({
          tradeId: String(nextId++),
          symbol,
          side: d.side,
          quantity: d.quantity,
          entryPrice: fill.fillPrice,
          entryFee: fill.fee,
          stopLoss: d.stopLoss,
          takeProfit: d.takeProfit,
          openedAt: closeTime,
          leverage: settings.leverage,
        });
      }
    }
  }
  const last = candles[candles.length - 1];
  if (last) {
    const end = last.time + input.resolutionMs;
    for (const trade of [...open]) close(trade, fillExit(trade.side, last.close, cfg), "end_of_period", end);
  }

  const start = candles[input.first]?.time ?? last?.time ?? 0;
  const end = last ? last.time + input.resolutionMs : start;
  const marks = candles
    .slice(input.first)
    .map((c) => ({ time: c.time + input.resolutionMs, symbol, price: c.close }));
  const marked = markedEquity(settings.capital, positions, marks, start);
  const { equity: points, ...stats } = performanceFromTrades(
    closed.map((t) => ({ openedAt: t.openedAt, closedAt: t.closedAt, pnl: t.pnl })),
    settings.capital,
    start,
    { marked, endTime: end },
  );
  const equity = downsample(points, MAX_EQUITY_POINTS).map((p): [number, number] => [p.time, p.value]);
  return { trades: closed, equity, stats };
}
