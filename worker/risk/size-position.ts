// Turns one strategy signal into the orders (or the reasoned skip) for one subscription: pure, no I/O.
import type { Signal } from "../../db/contracts/domain";
import type { RiskSettings } from "../../db/contracts/validation/risk-settings";
import { roundDownToStep } from "./round-quantity";

export type PositionSide = "LONG" | "SHORT";

/** A subscription's risk settings (fractions are 0..1: 0.01 = 1 %), as their one schema parses them. */
export type { RiskSettings };

export interface OpenPosition {
  tradeId: string;
  symbol: string;
  side: PositionSide;
  quantity: number;
  entryPrice: number;
}

/** What the subscription holds now, over all its symbols. */
export interface SubscriptionRiskState {
  openPositions: readonly OpenPosition[];
  /** Realized P&L of trades closed since 00:00 UTC today (negative = loss). */
  realizedPnlTodayUtc: number;
  /** Realized P&L since the subscription started; absent = none. At or below −capital nothing opens (ADR 125). */
  realizedPnlTotal?: number;
}

export interface MarketLimits {
  minQuantity: number;
  /** 0 when the exchange has no step. */
  quantityStep: number;
  minNotional?: number;
}

/** What the entry order costs beyond its price: the broker's fee and slippage, in basis points. */
export interface OrderCosts {
  feeBps: number;
  slippageBps: number;
}

export interface SizePositionInput {
  signal: Signal;
  symbol: string;
  /** Close of the signal candle: the reference the paper broker fills at and SL/TP are measured from. */
  entryPrice: number;
  /** ATR over the candle window, or null when the window was too short to compute one. */
  atr: number | null;
  settings: RiskSettings;
  state: SubscriptionRiskState;
  limits: MarketLimits;
  /** The leverage cap leaves room for them: margin plus entry fee fits the capital (ADR 126). */
  costs: OrderCosts;
}

export type SkipReason =
  | "hold"
  | "max_daily_loss"
  | "no_equity"
  | "max_open_positions"
  | "below_min_quantity"
  | "below_min_notional"
  | "already_in_position"
  | "no_position_to_close"
  | "zero_atr"
  | "invalid_stop"
  | "invalid_price";

export type CloseReason = "signal_close" | "opposite_signal";

export type RiskDecision =
  | {
      kind: "open";
      symbol: string;
      side: PositionSide;
      quantity: number;
      entryPrice: number;
      stopLoss: number;
      takeProfit: number;
      /** Why a strategy hint was ignored, for the execution log; empty when none was. */
      notes: string[];
    }
  | { kind: "close"; tradeId: string; reason: CloseReason }
  | { kind: "skip"; reason: SkipReason; detail: string };

type OpenDecision = Extract<RiskDecision, { kind: "open" }>;
type SkipDecision = Extract<RiskDecision, { kind: "skip" }>;

const skip = (reason: SkipReason, detail: string): SkipDecision => ({ kind: "skip", reason, detail });

/**
 * The decisions for one subscription, in the order they must be executed (closes before the open
 * that reverses them). Never empty: HOLD and every refusal come back as a skip with a machine reason,
 * so the caller records one outcome per subscription without special cases (ADR 031).
 */
export function sizePosition(input: SizePositionInput): RiskDecision[] {
  const { signal, symbol, state } = input;
  if (signal.action === "HOLD") return [skip("hold", "The strategy said HOLD.")];

  const onSymbol = state.openPositions.filter((p) => p.symbol === symbol);
  if (signal.action === "CLOSE") {
    if (onSymbol.length === 0)
      return [skip("no_position_to_close", `CLOSE with no open position on ${symbol}.`)];
    return onSymbol.map((p) => ({ kind: "close", tradeId: p.tradeId, reason: "signal_close" }));
  }

  const side: PositionSide = signal.action === "BUY" ? "LONG" : "SHORT";
  if (onSymbol.some((p) => p.side === side)) {
    return [skip("already_in_position", `${signal.action} while already ${side} on ${symbol}.`)];
  }
  const closes: RiskDecision[] = onSymbol.map((p) => ({
    kind: "close",
    tradeId: p.tradeId,
    reason: "opposite_signal",
  }));
  const stillOpen = state.openPositions.length - onSymbol.length;
  return [...closes, decideEntry(input, side, stillOpen)];
}

function decideEntry(
  input: SizePositionInput,
  side: PositionSide,
  openCount: number,
): OpenDecision | SkipDecision {
  const { settings, limits, entryPrice, atr, symbol } = input;
  const realizedTotal = input.state.realizedPnlTotal ?? 0;
  if (!(settings.capital + realizedTotal > 0)) {
    return skip(
      "no_equity",
      `Capital ${settings.capital} plus realized P&L ${realizedTotal} leaves no equity to trade with.`,
    );
  }
  const lossLimit = settings.maxDailyLoss * settings.capital;
  if (!Number.isFinite(input.state.realizedPnlTodayUtc)) {
    // An unknown P&L must not switch the guard off: refuse, as at the limit.
    return skip(
      "max_daily_loss",
      `Realized P&L today (UTC) is ${input.state.realizedPnlTodayUtc}, not a number: the daily loss limit cannot be checked.`,
    );
  }
  if (input.state.realizedPnlTodayUtc <= -lossLimit) {
    return skip(
      "max_daily_loss",
      `Realized P&L today (UTC) ${input.state.realizedPnlTodayUtc} has reached the daily loss limit of −${lossLimit}.`,
    );
  }
  if (openCount >= settings.maxOpenPositions) {
    return skip(
      "max_open_positions",
      `${openCount} positions open; the limit is ${settings.maxOpenPositions}.`,
    );
  }
  if (!(entryPrice > 0) || !Number.isFinite(entryPrice)) {
    return skip("invalid_price", `The entry reference price ${entryPrice} is not a positive number.`);
  }
  if (atr === null || !(atr > 0) || !Number.isFinite(atr)) {
    return skip(
      "zero_atr",
      atr === null ? "Not enough candles to compute ATR." : `ATR is ${atr}; cannot size a stop.`,
    );
  }

  const stopDistance = settings.stopLossAtr * atr;
  const riskSized = (settings.capital * settings.riskPerTrade) / stopDistance;
  const leverageCap = leverageCapQuantity(settings, entryPrice, side, input.costs);
  const quantity = roundDownToStep(Math.min(riskSized, leverageCap), limits.quantityStep);
  if (quantity <= 0 || quantity < limits.minQuantity) {
    return skip(
      "below_min_quantity",
      `Quantity ${quantity} is below the market minimum ${limits.minQuantity}.`,
    );
  }
  const notional = quantity * entryPrice;
  if (limits.minNotional !== undefined && notional < limits.minNotional) {
    return skip(
      "below_min_notional",
      `Notional ${notional} is below the market minimum ${limits.minNotional}.`,
    );
  }

  const { stopLoss, takeProfit, notes } = stopsFor(input, side, atr);
  if (!(stopLoss > 0))
    return skip("invalid_stop", `The stop-loss ${stopLoss} would not be a positive price.`);
  // A short's target below zero could never fill: refused like a long's stop below zero.
  if (!(takeProfit > 0))
    return skip("invalid_stop", `The take-profit ${takeProfit} would not be a positive price.`);
  return { kind: "open", symbol, side, quantity, entryPrice, stopLoss, takeProfit, notes };
}

/**
 * The largest quantity whose entry cost fits the capital: the margin (fill notional / leverage) plus
 * the entry fee on the fill notional, the fill being the reference moved by the slippage. Without
 * fees and slippage this is capital × leverage / entry.
 */
function leverageCapQuantity(
  settings: RiskSettings,
  entryPrice: number,
  side: PositionSide,
  costs: OrderCosts,
): number {
  const slip = Math.max(costs.slippageBps, 0) / 10_000;
  const fee = Math.max(costs.feeBps, 0) / 10_000;
  const fillPrice = side === "LONG" ? entryPrice * (1 + slip) : entryPrice * (1 - slip);
  return settings.capital / (fillPrice * (1 / settings.leverage + fee));
}

/** ATR-multiple stops, overridden by the strategy's hints when those sit on the protective side of entry. */
function stopsFor(input: SizePositionInput, side: PositionSide, atr: number) {
  const { entryPrice, settings, signal } = input;
  const sign = side === "LONG" ? 1 : -1;
  const notes: string[] = [];
  let stopLoss = entryPrice - sign * settings.stopLossAtr * atr;
  let takeProfit = entryPrice + sign * settings.takeProfitAtr * atr;
  if (signal.stopLoss !== null) {
    if (sign * (entryPrice - signal.stopLoss) > 0) stopLoss = signal.stopLoss;
    else
      notes.push(
        `Ignored stop-loss hint ${signal.stopLoss}: on the wrong side of entry ${entryPrice} for ${side}.`,
      );
  }
  if (signal.takeProfit !== null) {
    if (sign * (signal.takeProfit - entryPrice) > 0) takeProfit = signal.takeProfit;
    else
      notes.push(
        `Ignored take-profit hint ${signal.takeProfit}: on the wrong side of entry ${entryPrice} for ${side}.`,
      );
  }
  return { stopLoss, takeProfit, notes };
}
