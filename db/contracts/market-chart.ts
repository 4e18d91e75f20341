// The market chart's data as the loaders send it and the browser draws it: candles, signals and trades of one market.
import type { Candle, Resolution, SignalAction } from "./domain";

/** How many of the newest stored candles the chart shows. */
export const CHART_CANDLES = 300;

/** The page's search parameter naming the charted symbol, for strategies that trade several. */
export const CHART_MARKET_PARAM = "market";

export interface ChartCandle extends Candle {
  /** The source left this candle out: stored flat at the previous close with volume 0. */
  filled: boolean;
}

/** A signal that acts (HOLD is not marked), at the close time of the candle that produced it. */
export interface ChartSignal {
  closeTime: number;
  signal: Exclude<SignalAction, "HOLD">;
  price: number | null;
}

/** One of the subscription's positions: opened and closed at execution close times. */
export interface ChartTrade {
  id: string;
  side: "LONG" | "SHORT";
  entryPrice: number | null;
  openedAt: number;
  exitPrice: number | null;
  closedAt: number | null;
  exitReason: string | null;
}

export interface MarketChartData {
  symbol: string;
  /** Every market the strategy trades: the switcher's choices. */
  symbols: string[];
  resolution: Resolution;
  /** Where the candles come from: "simulated" or a ccxt exchange id. */
  source: string;
  /** Oldest first, by open time. */
  candles: ChartCandle[];
  signals: ChartSignal[];
  /** The subscription's entries and exits; null on the strategy page. */
  trades: ChartTrade[] | null;
}
