// Turns one execution's signals into every subscription's trades, closes and events: pure, no I/O.
import { utcDayStart, type Candle, type Signal } from "../db/contracts/domain";
import type { ExecutionEvent, NewEvent } from "../db/contracts/events";
import { newId, newIds } from "../db/platform/ids";
import type { NewTrade, TradeClose } from "../db/store/queries/executions";
import type { FanOutSubscription, OpenTrade } from "../db/store/queries/fan-out";
import { clientOrderId } from "./brokers/client-order-id";
import type { OrderSide } from "./brokers/broker";
import {
  checkExits,
  closeTrade,
  fillEntry,
  fillExit,
  type ExitReason,
  type PaperConfig,
} from "./brokers/paper";
import type { MarketLimits, SubscriptionRiskState } from "./risk/size-position";
import { sizePosition } from "./risk/size-position";

export const PAPER_LIMITS: MarketLimits = { minQuantity: 0, quantityStep: 0 };

/** What the strategy version a subscription follows answered (or why it could not). */
export type VersionOutcome = { ok: true; signal: Signal } | { ok: false; kind: string; message: string };

export interface FanOutInput {
  execution: { id: string; strategyId: string; symbol: string; resolution: string; closeTime: number };
  subscriptions: readonly FanOutSubscription[];
  /** The version each subscription follows, by subscription id. */
  versionOf: (subscription: FanOutSubscription) => string;
  outcomes: ReadonlyMap<string, VersionOutcome>;
  /** Open trades of the strategy (all symbols), any subscription. */
  openTrades: readonly OpenTrade[];
  /** The window, oldest first; the last candle closed at the execution's close time. */
  candles: readonly Candle[];
  atr: number | null;
  paper: PaperConfig;
  /** Market limits for a subscription's broker, or a reason it cannot trade now. */
  /** `reason` names the skip (default broker_unavailable); `unavailable` explains it to the subscriber. */
  brokerFor: (
    subscription: FanOutSubscription,
  ) => { limits: MarketLimits } | { unavailable: string; reason?: string };
}

/** An order to send after the commit (exchange accounts only: paper fills are decided here). */
export interface PendingOrder {
  tradeId: string;
  brokerAccountId: string;
  leg: "open" | "close";
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  quantity: number;
  referencePrice: number;
}

export interface FanOutPlan {
  trades: NewTrade[];
  closes: TradeClose[];
  events: NewEvent[];
  orders: PendingOrder[];
  opened: number;
  skipped: number;
}

const entrySide = (side: "LONG" | "SHORT"): OrderSide => (side === "LONG" ? "buy" : "sell");
const exitSide = (side: "LONG" | "SHORT"): OrderSide => (side === "LONG" ? "sell" : "buy");

export function planFanOut(input: FanOutInput): FanOutPlan {
  const { execution: e, candles, paper } = input;
  const last = candles[candles.length - 1];
  const day = utcDayStart(e.closeTime);
  const openBySub = new Map<string, OpenTrade[]>();
  for (const t of input.openTrades) {
    let list = openBySub.get(t.subscriptionId);
    if (!list) openBySub.set(t.subscriptionId, (list = []));
    list.push(t);
  }

  // By time, not position: a window may lack a candle (a young market, a source's hole).
  const firstCandleAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = candles.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (candles[mid].time < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const plan: FanOutPlan = { trades: [], closes: [], events: [], orders: [], opened: 0, skipped: 0 };
  // At most one new trade row per subscription: one random draw names them all.
  const ids = newIds(input.subscriptions.length);
  let nextId = 0;
  const tradeId = () => ids[nextId++] ?? newId();

  for (const sub of input.subscriptions) {
    const broker = input.brokerFor(sub);
    const isExchange = sub.brokerKind === "exchange";
    const closed: ExecutionEvent["closed"] = [];
    let realized = sub.pnlDayStart === day ? sub.pnlToday : 0;
    let realizedTotal = sub.totalPnl;
    // A stop or target is booked on the UTC day its candle covers (ADR 032): a daily candle's is yesterday's.
    const close = (trade: OpenTrade, exitPrice: number, reason: ExitReason, pnlDay = day) => {
      const result = closeTrade(
        { ...trade, entryFee: trade.entryFee ?? undefined },
        exitPrice,
        reason,
        paper,
      );
      plan.closes.push({
        tradeId: trade.id,
        exitPrice,
        exitFee: result.exitFee,
        pnl: result.pnl,
        exitReason: reason,
        pnlDay,
      });
      closed.push({ tradeId: trade.id, exitPrice, pnl: result.pnl, exitReason: reason });
      if (pnlDay === day) realized += result.pnl;
      realizedTotal += result.pnl;
      if (isExchange && !("unavailable" in broker)) {
        plan.orders.push({
          tradeId: trade.id,
          brokerAccountId: sub.brokerAccountId,
          leg: "close",
          clientOrderId: clientOrderId(trade.id, e.id, "close"),
          symbol: trade.symbol,
          side: exitSide(trade.side),
          quantity: trade.quantity,
          referencePrice: last.close,
        });
      }
    };

    // Stops and targets first: every window candle since the trade opened, in order, first touch wins.
    // Re-checking a candle an earlier execution already checked finds nothing new, so missed closes are covered.
    let open = openBySub.get(sub.id) ?? [];
    open = open.filter((trade) => {
      if (trade.symbol !== e.symbol || trade.stopLoss === null || trade.takeProfit === null) return true;
      const paperTrade = {
        ...trade,
        stopLoss: trade.stopLoss,
        takeProfit: trade.takeProfit,
        entryFee: trade.entryFee ?? undefined,
        leverage: sub.leverage,
      };
      for (let i = firstCandleAtOrAfter(trade.openedAt); i < candles.length; i++) {
        const exit = checkExits(paperTrade, candles[i], paper);
        if (exit) {
          close(trade, exit.exitPrice, exit.reason, utcDayStart(candles[i].time));
          return false;
        }
      }
      return true;
    });

    const outcome = input.outcomes.get(input.versionOf(sub));
    const event: ExecutionEvent = {
      executionId: e.id,
      strategyId: e.strategyId,
      subscriptionId: sub.id,
      symbol: e.symbol,
      resolution: e.resolution,
      closeTime: e.closeTime,
      status: "COMPLETED",
      signal: null,
      opened: null,
      closed,
      skipped: null,
    };
    const skipRow = (reason: string, detail: string) => {
      plan.trades.push({
        id: tradeId(),
        subscriptionId: sub.id,
        userId: sub.userId,
        symbol: e.symbol,
        status: "skipped",
        reason,
      });
      event.skipped = { reason, detail };
      plan.skipped += 1;
    };

    if (!outcome || !outcome.ok) {
      event.status = "FAILED";
      skipRow(
        "strategy_error",
        outcome ? `${outcome.kind}: ${outcome.message}` : "The strategy version did not run.",
      );
    } else {
      const { signal } = outcome;
      event.signal = signal.action;
      if (signal.action === "HOLD") {
        // No trade row for HOLD (docs/decisions/042): the execution row already says it for everyone.
        event.skipped = { reason: "hold", detail: "The strategy said HOLD." };
      } else if ("unavailable" in broker) {
        skipRow(broker.reason ?? "broker_unavailable", broker.unavailable);
      } else {
        const state: SubscriptionRiskState = {
          openPositions: open.map((t) => ({
            tradeId: t.id,
            symbol: t.symbol,
            side: t.side,
            quantity: t.quantity,
            entryPrice: t.entryPrice,
          })),
          realizedPnlTodayUtc: realized,
          realizedPnlTotal: realizedTotal,
        };
        const decisions = sizePosition({
          signal,
          symbol: e.symbol,
          entryPrice: last.close,
          atr: input.atr,
          settings: sub,
          state,
          limits: broker.limits,
          costs: paper,
        });
        const reverses = decisions.some((d) => d.kind === "close");
        for (const d of decisions) {
          if (d.kind === "close") {
            const trade = open.find((t) => t.id === d.tradeId);
            if (trade) close(trade, fillExit(trade.side, last.close, paper), d.reason);
          } else if (d.kind === "skip") {
            skipRow(d.reason, d.detail);
          } else {
            const fill = fillEntry(d, paper);
            const id = tradeId();
            // Only an exchange sees a client order id; hashing one for each paper trade would be waste at 10,000.
            const orderId = isExchange ? clientOrderId(sub.id, e.id, reverses ? "open" : undefined) : null;
            plan.trades.push({
              id,
              subscriptionId: sub.id,
              userId: sub.userId,
              symbol: d.symbol,
              status: "open",
              side: d.side,
              quantity: d.quantity,
              entryPrice: fill.fillPrice,
              stopLoss: d.stopLoss,
              takeProfit: d.takeProfit,
              entryFee: fill.fee,
              clientOrderId: orderId,
              reason: d.notes.length > 0 ? d.notes.join(" ") : null,
            });
            plan.opened += 1;
            event.opened = {
              id,
              symbol: d.symbol,
              side: d.side,
              quantity: d.quantity,
              entryPrice: fill.fillPrice,
              stopLoss: d.stopLoss,
              takeProfit: d.takeProfit,
            };
            if (isExchange) {
              plan.orders.push({
                tradeId: id,
                brokerAccountId: sub.brokerAccountId,
                leg: "open",
                clientOrderId: orderId!,
                symbol: d.symbol,
                side: entrySide(d.side),
                quantity: d.quantity,
                referencePrice: last.close,
              });
            }
          }
        }
      }
    }
    plan.events.push({ userId: sub.userId, type: "execution", payload: event });
  }
  return plan;
}
