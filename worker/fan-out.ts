// Turns one execution's signals into every subscription's trades, closes and events: pure, no I/O.
import { AUTHOR_TIME_BUDGET, utcDayStart, type Candle, type Signal } from "../db/contracts/domain";
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

type FanOutExecution = FanOutInput["execution"];

const executionEvent = (
  e: FanOutExecution,
  sub: FanOutSubscription,
  closed: ExecutionEvent["closed"],
): ExecutionEvent => ({
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
});

const skippedTrade = (id: string, e: FanOutExecution, sub: FanOutSubscription, reason: string): NewTrade => ({
  id,
  subscriptionId: sub.id,
  userId: sub.userId,
  symbol: e.symbol,
  status: "skipped",
  reason,
});

/** Why a subscriber whose version gave no signal gets nothing. */
function failedSkip(outcome: VersionOutcome | undefined): { reason: string; detail: string } {
  if (!outcome || outcome.ok)
    return { reason: "strategy_error", detail: "The strategy version did not run." };
  const named = outcome.kind === "market_data" || outcome.kind === AUTHOR_TIME_BUDGET;
  return { reason: named ? outcome.kind : "strategy_error", detail: `${outcome.kind}: ${outcome.message}` };
}

/**
 * A candle no version answered (no candles, or every run failed): each subscriber gets the skipped
 * row and FAILED event a follower of one failed version gets in planFanOut (ADR 170); SKIPPED when
 * no run started because the author's time was spent (ADR 176). Nothing is closed: the next
 * execution re-checks the stops and targets over this candle.
 */
export function planFailedRun(
  input: Pick<FanOutInput, "execution" | "subscriptions" | "versionOf" | "outcomes">,
  status: "FAILED" | "SKIPPED" = "FAILED",
): Pick<FanOutPlan, "trades" | "events"> {
  const e = input.execution;
  const ids = newIds(input.subscriptions.length);
  const trades: NewTrade[] = [];
  const events: NewEvent[] = [];
  input.subscriptions.forEach((sub, i) => {
    const skip = failedSkip(input.outcomes.get(input.versionOf(sub)));
    trades.push(skippedTrade(ids[i], e, sub, skip.reason));
    const event: ExecutionEvent = { ...executionEvent(e, sub, []), status, skipped: skip };
    events.push({ userId: sub.userId, type: "execution", payload: event });
  });
  return { trades, events };
}

const entrySide = (side: "LONG" | "SHORT"): OrderSide => (side === "LONG" ? "buy" : "sell");
const exitSide = (side: "LONG" | "SHORT"): OrderSide => (side === "LONG" ? "sell" : "buy");

/** What planning every subscription shares: the input, the plan it adds to, and the candle reads. */
interface FanOutRun {
  input: FanOutInput;
  plan: FanOutPlan;
  day: number;
  last: Candle;
  openBySub: Map<string, OpenTrade[]>;
  tradeId: () => string;
}

/** One subscription while it is planned: its broker, its event, its realized P&L as closes add to it. */
interface SubscriptionRun {
  sub: FanOutSubscription;
  broker: ReturnType<FanOutInput["brokerFor"]>;
  event: ExecutionEvent;
  realized: number;
  realizedTotal: number;
}

type SizedDecision = ReturnType<typeof sizePosition>[number];

export function planFanOut(input: FanOutInput): FanOutPlan {
  const openBySub = new Map<string, OpenTrade[]>();
  for (const t of input.openTrades) {
    let list = openBySub.get(t.subscriptionId);
    if (!list) openBySub.set(t.subscriptionId, (list = []));
    list.push(t);
  }
  // At most one new trade row per subscription: one random draw names them all.
  const ids = newIds(input.subscriptions.length);
  let nextId = 0;
  const run: FanOutRun = {
    input,
    plan: { trades: [], closes: [], events: [], orders: [], opened: 0, skipped: 0 },
    day: utcDayStart(input.execution.closeTime),
    last: input.candles[input.candles.length - 1],
    openBySub,
    tradeId: () => ids[nextId++] ?? newId(),
  };
  for (const sub of input.subscriptions) planSubscription(run, sub);
  return run.plan;
}

function planSubscription(run: FanOutRun, sub: FanOutSubscription) {
  const { input, day } = run;
  const s: SubscriptionRun = {
    sub,
    broker: input.brokerFor(sub),
    event: executionEvent(input.execution, sub, []),
    realized: sub.pnlDayStart === day ? sub.pnlToday : 0,
    realizedTotal: sub.totalPnl,
  };
  const open = closeExitsHit(run, s, run.openBySub.get(sub.id) ?? []);
  const outcome = input.outcomes.get(input.versionOf(sub));
  if (!outcome || !outcome.ok) {
    const skip = failedSkip(outcome);
    s.event.status = "FAILED";
    skipRow(run, s, skip.reason, skip.detail);
  } else {
    s.event.signal = outcome.signal.action;
    if (outcome.signal.action === "HOLD") {
      // No trade row for HOLD (docs/decisions/042): the execution row already says it for everyone.
      s.event.skipped = { reason: "hold", detail: "The strategy said HOLD." };
    } else if ("unavailable" in s.broker) {
      skipRow(run, s, s.broker.reason ?? "broker_unavailable", s.broker.unavailable);
    } else {
      const decisions = sizePosition({
        signal: outcome.signal,
        symbol: input.execution.symbol,
        entryPrice: run.last.close,
        atr: input.atr,
        settings: sub,
        state: {
          openPositions: open.map((t) => ({
            tradeId: t.id,
            symbol: t.symbol,
            side: t.side,
            quantity: t.quantity,
            entryPrice: t.entryPrice,
          })),
          realizedPnlTodayUtc: s.realized,
          realizedPnlTotal: s.realizedTotal,
        } satisfies SubscriptionRiskState,
        limits: s.broker.limits,
        costs: input.paper,
      });
      const reverses = decisions.some((d) => d.kind === "close");
      for (const d of decisions) {
        if (d.kind === "close") {
          const trade = open.find((t) => t.id === d.tradeId);
          if (trade) close(run, s, trade, fillExit(trade.side, run.last.close, input.paper), d.reason);
        } else if (d.kind === "skip") {
          skipRow(run, s, d.reason, d.detail);
        } else {
          openPosition(run, s, d, reverses);
        }
      }
    }
  }
  run.plan.events.push({ userId: sub.userId, type: "execution", payload: s.event });
}

/**
 * Stops and targets first: every window candle since the trade opened, in order, first touch wins.
 * Re-checking a candle an earlier execution already checked finds nothing new, so missed closes are
 * covered. A trade whose stop and target rest on the exchange is left to the exchange's fill (ADR 144).
 * Answers the trades still open.
 */
function closeExitsHit(run: FanOutRun, s: SubscriptionRun, open: OpenTrade[]): OpenTrade[] {
  const { candles, paper, execution } = run.input;
  return open.filter((trade) => {
    if (
      trade.symbol !== execution.symbol ||
      trade.stopLoss === null ||
      trade.takeProfit === null ||
      trade.protectedOnExchange
    )
      return true;
    const paperTrade = {
      ...trade,
      stopLoss: trade.stopLoss,
      takeProfit: trade.takeProfit,
      entryFee: trade.entryFee ?? undefined,
      leverage: s.sub.leverage,
    };
    for (let i = firstCandleAtOrAfter(candles, trade.openedAt); i < candles.length; i++) {
      const exit = checkExits(paperTrade, candles[i], paper);
      if (exit) {
        close(run, s, trade, exit.exitPrice, exit.reason, utcDayStart(candles[i].time));
        return false;
      }
    }
    return true;
  });
}

/** By time, not position: a window may lack a candle (a young market, a source's hole). */
function firstCandleAtOrAfter(candles: readonly Candle[], t: number) {
  let lo = 0;
  let hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (candles[mid].time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A stop or target is booked on the UTC day its candle covers (ADR 032): a daily candle's is yesterday's. */
function close(
  run: FanOutRun,
  s: SubscriptionRun,
  trade: OpenTrade,
  exitPrice: number,
  reason: ExitReason,
  pnlDay = run.day,
) {
  const result = closeTrade(
    { ...trade, entryFee: trade.entryFee ?? undefined },
    exitPrice,
    reason,
    run.input.paper,
  );
  run.plan.closes.push({
    tradeId: trade.id,
    exitPrice,
    exitFee: result.exitFee,
    pnl: result.pnl,
    exitReason: reason,
    pnlDay,
  });
  s.event.closed.push({ tradeId: trade.id, exitPrice, pnl: result.pnl, exitReason: reason });
  if (pnlDay === run.day) s.realized += result.pnl;
  s.realizedTotal += result.pnl;
  if (s.sub.brokerKind === "exchange" && !("unavailable" in s.broker)) {
    run.plan.orders.push({
      tradeId: trade.id,
      brokerAccountId: s.sub.brokerAccountId,
      leg: "close",
      clientOrderId: clientOrderId(trade.id, run.input.execution.id, "close"),
      symbol: trade.symbol,
      side: exitSide(trade.side),
      quantity: trade.quantity,
      referencePrice: run.last.close,
    });
  }
}

function skipRow(run: FanOutRun, s: SubscriptionRun, reason: string, detail: string) {
  run.plan.trades.push(skippedTrade(run.tradeId(), run.input.execution, s.sub, reason));
  s.event.skipped = { reason, detail };
  run.plan.skipped += 1;
}

function openPosition(
  run: FanOutRun,
  s: SubscriptionRun,
  d: Extract<SizedDecision, { kind: "open" }>,
  reverses: boolean,
) {
  const { sub } = s;
  const isExchange = sub.brokerKind === "exchange";
  const fill = fillEntry(d, run.input.paper);
  const id = run.tradeId();
  // Only an exchange sees a client order id; hashing one for each paper trade would be waste at 10,000.
  const orderId = isExchange
    ? clientOrderId(sub.id, run.input.execution.id, reverses ? "open" : undefined)
    : null;
  run.plan.trades.push({
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
  run.plan.opened += 1;
  s.event.opened = {
    id,
    symbol: d.symbol,
    side: d.side,
    quantity: d.quantity,
    entryPrice: fill.fillPrice,
    stopLoss: d.stopLoss,
    takeProfit: d.takeProfit,
  };
  if (isExchange) {
    run.plan.orders.push({
      tradeId: id,
      brokerAccountId: sub.brokerAccountId,
      leg: "open",
      clientOrderId: orderId!,
      symbol: d.symbol,
      side: entrySide(d.side),
      quantity: d.quantity,
      referencePrice: run.last.close,
    });
  }
}
