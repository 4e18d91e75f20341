// The paper broker: stated fill, exit and P&L rules (ADR 033) as pure functions, plus a Broker over them.
import type { Candle, ExitReason as AnyExitReason } from "../../db/contracts/domain";
import type { PositionSide } from "../risk/size-position";
import { bankruptcyPrice, liquidationPrice } from "../risk/liquidation";
import type { Broker, MarketOrder, OrderResult, OrderSide } from "./broker";

export interface PaperConfig {
  /** Fee in basis points of notional, charged on entry and on exit. */
  feeBps: number;
  /** Slippage in basis points, always against the trader. */
  slippageBps: number;
}

export const DEFAULT_PAPER_CONFIG: PaperConfig = { feeBps: 10, slippageBps: 5 };

export type ExitReason = Exclude<AnyExitReason, "end_of_period">;

/** An open paper trade as the store holds it. */
export interface PaperTrade {
  side: PositionSide;
  quantity: number;
  /** The fill price (already slipped), not the reference. */
  entryPrice: number;
  stopLoss: number;
  takeProfit: number;
  /** Close time of the signal candle: only candles opening at or after it can exit the trade. */
  openedAt: number;
  /** Fee paid at entry; recomputed from the config when the store did not keep it. */
  entryFee?: number;
  /** The subscription's leverage: margin = notional / leverage sets the liquidation price (1 when absent). */
  leverage?: number;
}

const BPS = 10_000;

const entrySide = (side: PositionSide): OrderSide => (side === "LONG" ? "buy" : "sell");
const exitSide = (side: PositionSide): OrderSide => (side === "LONG" ? "sell" : "buy");

/** `price` moved by the slippage against whoever trades: a buy pays more, a sell gets less. */
export function slipped(price: number, side: OrderSide, cfg: PaperConfig = DEFAULT_PAPER_CONFIG): number {
  const factor = cfg.slippageBps / BPS;
  return side === "buy" ? price * (1 + factor) : price * (1 - factor);
}

export function feeFor(price: number, quantity: number, cfg: PaperConfig = DEFAULT_PAPER_CONFIG): number {
  return (price * quantity * cfg.feeBps) / BPS;
}

/** Entry fill for an open decision: its reference price slipped against the trader, plus the fee. */
export function fillEntry(
  decision: { side: PositionSide; quantity: number; entryPrice: number },
  cfg: PaperConfig = DEFAULT_PAPER_CONFIG,
): { fillPrice: number; fee: number } {
  const fillPrice = slipped(decision.entryPrice, entrySide(decision.side), cfg);
  return { fillPrice, fee: feeFor(fillPrice, decision.quantity, cfg) };
}

/** Exit price for closing `side` at market on a signal (CLOSE or a reversal) from a reference price. */
export function fillExit(
  side: PositionSide,
  referencePrice: number,
  cfg: PaperConfig = DEFAULT_PAPER_CONFIG,
): number {
  return slipped(referencePrice, exitSide(side), cfg);
}

/**
 * Whether `candle` takes the trade out at its stop, its target or by liquidation (ADR 125). The open
 * decides first: an open beyond the liquidation price liquidates, an open through the stop exits at
 * that worse open, an open beyond the target exits at that better open (a resting limit fills at its
 * price or better). Inside the bar the order is unknown, so the adverse side wins (ADR 033): the
 * nearer of stop and liquidation price, then the target at its level.
 */
export function checkExits(
  trade: PaperTrade,
  candle: Candle,
  cfg: PaperConfig = DEFAULT_PAPER_CONFIG,
): { reason: "stop_loss" | "take_profit" | "liquidation"; exitPrice: number } | null {
  // Negated so a candle with no valid time (NaN) cannot exit the trade either.
  if (!(candle.time >= trade.openedAt)) return null;
  const long = trade.side === "LONG";
  const against = (price: number, level: number) => (long ? price <= level : price >= level);
  const leverage = trade.leverage ?? 1;
  const liquidation = liquidationPrice(trade.side, trade.entryPrice, leverage);
  const liquidated = () => ({
    reason: "liquidation" as const,
    exitPrice: bankruptcyPrice(trade.side, trade.entryPrice, leverage) ?? 0,
  });
  const stopAt = (price: number) => ({
    reason: "stop_loss" as const,
    exitPrice: slipped(price, exitSide(trade.side), cfg),
  });
  const targetAt = (price: number) => ({
    reason: "take_profit" as const,
    exitPrice: slipped(price, exitSide(trade.side), cfg),
  });

  if (liquidation !== null && against(candle.open, liquidation)) return liquidated();
  if (against(candle.open, trade.stopLoss)) return stopAt(candle.open);
  if (against(trade.takeProfit, candle.open)) return targetAt(candle.open);

  const adverse = long ? candle.low : candle.high;
  const stopFirst = liquidation === null || against(liquidation, trade.stopLoss);
  if (stopFirst && against(adverse, trade.stopLoss)) return stopAt(trade.stopLoss);
  if (liquidation !== null && against(adverse, liquidation)) return liquidated();
  if (against(trade.takeProfit, long ? candle.high : candle.low)) return targetAt(trade.takeProfit);
  return null;
}

/** The closed trade's figures: P&L is net of the entry and the exit fee; a P&L of exactly 0 is a loss. */
export function closeTrade(
  trade: Pick<PaperTrade, "side" | "quantity" | "entryPrice" | "entryFee">,
  exitPrice: number,
  reason: ExitReason,
  cfg: PaperConfig = DEFAULT_PAPER_CONFIG,
): { exitPrice: number; exitFee: number; pnl: number; outcome: "win" | "loss"; reason: ExitReason } {
  const exitFee = feeFor(exitPrice, trade.quantity, cfg);
  const entryFee = trade.entryFee ?? feeFor(trade.entryPrice, trade.quantity, cfg);
  const direction = trade.side === "LONG" ? 1 : -1;
  const pnl = direction * (exitPrice - trade.entryPrice) * trade.quantity - entryFee - exitFee;
  return { exitPrice, exitFee, pnl, outcome: pnl > 0 ? "win" : "loss", reason };
}

/** A Broker that fills every valid market order at once by the paper fill rule. */
export function createPaperBroker(cfg: PaperConfig = DEFAULT_PAPER_CONFIG): Broker {
  return {
    async placeMarketOrder(order: MarketOrder): Promise<OrderResult> {
      if (!(order.quantity > 0) || !Number.isFinite(order.quantity)) {
        return { status: "rejected", reason: `Quantity ${order.quantity} is not a positive number.` };
      }
      if (!(order.referencePrice > 0) || !Number.isFinite(order.referencePrice)) {
        return {
          status: "rejected",
          reason: `Reference price ${order.referencePrice} is not a positive number.`,
        };
      }
      const fillPrice = slipped(order.referencePrice, order.side, cfg);
      return {
        status: "filled",
        fillPrice,
        filledQuantity: order.quantity,
        fee: feeFor(fillPrice, order.quantity, cfg),
        exchangeOrderId: `paper-${order.clientOrderId}`,
      };
    },
  };
}
