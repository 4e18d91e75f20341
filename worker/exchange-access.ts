// Exchange accounts for the coordinator: market limits before the commit, orders after it (credentials decrypted only here).
import { eq } from "drizzle-orm";
import type { Exchange } from "ccxt";
import type { Db } from "../db/store/client";
import type { Bus } from "../db/infra/bus";
import type { Logger } from "../db/platform/logger.server";
import { loadBrokerCredentials } from "../db/store/queries/broker-accounts";
import { recordOrderAnswer, type AnswerRecorded, type OrderAnswer } from "../db/store/queries/order-answers";
import {
  entryOrderState,
  listOrdersToReconcile,
  listPendingOrders,
  moveOrder,
  moveOrders,
  protectiveLegsOf,
  tradeStatus,
  type OrderRow,
} from "../db/store/queries/orders";
import { isKillSwitchExit } from "../db/store/queries/kill-switch";
import { brokerAccounts, type EventRow } from "../db/store/schema";
import { isFinal, isProtective, type OrderState } from "../db/contracts/order-states";
import { clientOrderId } from "./brokers/client-order-id";
import type { OrderResult } from "./brokers/broker";
import type { ExchangeBroker } from "./brokers/exchange.server";
import { publishEvents } from "./jobs/publish-events";
import type { MarketLimits } from "./risk/size-position";

export interface ExchangeAccess {
  /** Called before the commit: the market's limits for sizing, or why this account cannot trade now. */
  prepare(
    brokerAccountId: string,
    symbol: string,
  ): Promise<{ limits: MarketLimits } | { unavailable: string }>;
  /** After the commit: sends each of the execution's pending orders once and records the answers and fills. */
  sendOrders(executionId: string, logger: Logger): Promise<void>;
  /** Decides every order its sender left behind (pending, sent, unknown); counts of the decisions. */
  reconcile(logger: Logger, now?: number): Promise<Record<string, number>>;
  /** The account's whole balance of each asset at the exchange (the positions check). */
  fetchBalances(brokerAccountId: string): Promise<Record<string, number>>;
  /**
   * Takes a trade's protective legs off the exchange before it is closed at market: pending ones become
   * void (`why`), resting ones are cancelled (one leg's cancel takes its OCO list), and every leg's final
   * state is recorded from what the exchange then says. `filled`: a leg filled first and closed the trade
   * (send no exit); `busy`: a leg is on the wire or the exchange could not answer (try again later);
   * `clear`: nothing rests any more.
   */
  cancelRestingOrders(tradeId: string, logger: Logger, why: string): Promise<RestingOutcome>;
}

export type RestingOutcome = "clear" | "filled" | "busy";

/** How long the reconciliation lets a sender work before deciding for it (ADR 038, 141); tests shorten them. */
export interface OrderTiming {
  /** A pending order this old lost its sender (the normal send follows the commit within milliseconds). */
  pendingGraceMs: number;
  /** A sent order this old lost its sender mid-request: longer than a live sender can take (checked). */
  sentGraceMs: number;
  /** A market order is still worth sending this long after its commit; later it is void. */
  freshMs: number;
  /** One exchange request's timeout. */
  requestTimeoutMs: number;
  /** Look-ups by client id after an ambiguous send are spaced by this × attempt. */
  lookupBackoffMs: number;
}

export const ORDER_TIMING: OrderTiming = {
  pendingGraceMs: 5_000,
  sentGraceMs: 60_000,
  freshMs: 30_000,
  requestTimeoutMs: 10_000,
  lookupBackoffMs: 1_000,
};

const LOOKUP_ATTEMPTS = 3;

type SendOutcome = "sent" | "waiting" | "void" | "taken";

/** The longest a live sender takes from its claim to its answer: the send, every look-up, every pause between them. */
export const senderBudgetMs = (t: OrderTiming) =>
  t.requestTimeoutMs * (1 + LOOKUP_ATTEMPTS) +
  (t.lookupBackoffMs * LOOKUP_ATTEMPTS * (LOOKUP_ATTEMPTS + 1)) / 2;

interface BrokerOptions {
  exchangeId: string;
  apiKey: string;
  secret: string;
  sandbox: boolean;
  timeoutMs: number;
  lookupAttempts: number;
  lookupBackoffMs: number;
  rateLimit: boolean;
  baseUrl?: string;
}

/** For workers that must not trade on exchanges (tests, benches, a deployment without keys). */
export const exchangesDisabled: ExchangeAccess = {
  prepare: async () => ({ unavailable: "Exchange accounts are not enabled on this worker." }),
  sendOrders: async () => {},
  reconcile: async () => ({}),
  fetchBalances: async () => {
    throw new Error("Exchange accounts are not enabled on this worker.");
  },
  cancelRestingOrders: async () => "clear",
};

export function createExchangeAccess(deps: {
  db: Db;
  /** Where the fills' "trade.filled" events are published (the rows are in the outbox either way). */
  bus?: Bus;
  encryptionKey: string;
  /** EXCHANGE_URL: every account's exchange API at this origin instead (the local simulator). */
  exchangeUrl?: string;
  timing?: OrderTiming;
  /** How long a built client (and its decrypted keys) is kept in memory. */
  clientTtlMs?: number;
  buildBroker?: (o: BrokerOptions) => ExchangeBroker | Promise<ExchangeBroker>;
}): ExchangeAccess {
  const ttl = deps.clientTtlMs ?? 10 * 60_000;
  const timing = deps.timing ?? ORDER_TIMING;
  // A reconciler that looks before a live sender is done could void an order that is about to exist.
  if (timing.sentGraceMs <= senderBudgetMs(timing))
    throw new Error(
      `sentGraceMs (${timing.sentGraceMs}) must exceed what a sender can take (${senderBudgetMs(timing)} ms)`,
    );
  // ccxt is loaded on the first exchange account only: it triples the worker's memory, and every
  // sandbox spawn forks that memory's page tables on the event-loop thread.
  // One exchange's markets are the same for every account: loaded once per TTL, not once per account
  // (1,000 accounts' exchangeInfo would spend 20,000 of Binance's 6,000 weight a minute).
  const markets = new Map<string, { markets: Exchange["markets"]; expires: number }>();
  const build =
    deps.buildBroker ??
    (async (o: BrokerOptions) => {
      const [{ createExchangeBroker }, { createCcxtExchange }] = await Promise.all([
        import("./brokers/exchange.server"),
        import("./brokers/ccxt-exchange.server"),
      ]);
      const exchange = createCcxtExchange(o);
      const key = JSON.stringify([o.exchangeId, o.sandbox, o.baseUrl ?? null]);
      const known = markets.get(key);
      if (known && known.expires > Date.now()) exchange.setMarkets(known.markets);
      else markets.set(key, { markets: await exchange.loadMarkets(), expires: Date.now() + ttl });
      return createExchangeBroker({ ...o, exchange });
    });
  const clients = new Map<string, { broker: ExchangeBroker; expires: number }>();
  const limits = new Map<string, MarketLimits>();

  async function brokerFor(accountId: string): Promise<ExchangeBroker> {
    const cached = clients.get(accountId);
    if (cached && cached.expires > Date.now()) return cached.broker;
    const account = await deps.db.query.brokerAccounts.findFirst({
      where: eq(brokerAccounts.id, accountId),
      columns: { exchange: true, testnet: true },
    });
    if (!account?.exchange) throw new Error("the broker account names no exchange");
    const credentials = await loadBrokerCredentials(deps.db, deps.encryptionKey, accountId);
    if (!credentials) throw new Error("the broker account has no credentials");
    const broker = await build({
      exchangeId: account.exchange,
      ...credentials,
      sandbox: account.testnet,
      timeoutMs: timing.requestTimeoutMs,
      lookupAttempts: LOOKUP_ATTEMPTS,
      lookupBackoffMs: timing.lookupBackoffMs,
      // One request in flight per sender already spaces them; a per-account throttle only adds waits (ADR 143).
      rateLimit: false,
      ...(deps.exchangeUrl ? { baseUrl: deps.exchangeUrl } : {}),
    });
    clients.set(accountId, { broker, expires: Date.now() + ttl });
    return broker;
  }

  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

  const access: ExchangeAccess = {
    async prepare(accountId, symbol) {
      try {
        const broker = await brokerFor(accountId);
        const key = `${accountId}:${symbol}`;
        let found = limits.get(key);
        if (!found) limits.set(key, (found = await broker.loadLimits(symbol)));
        return { limits: found };
      } catch (error) {
        return { unavailable: `The exchange account cannot trade now: ${describe(error)}` };
      }
    },

    sendOrders: async (executionId, logger) => {
      for (const order of await listPendingOrders(deps.db, executionId)) await send(order, logger);
    },

    fetchBalances: async (accountId) => (await brokerFor(accountId)).fetchBalances(),

    async reconcile(logger, now = Date.now()) {
      const due = await listOrdersToReconcile(deps.db, {
        pendingBefore: now - timing.pendingGraceMs,
        sentBefore: now - timing.sentGraceMs,
      });
      const decided: Record<string, number> = {};
      for (const order of due) {
        const decision = await reconcileOne(order, logger, now);
        decided[decision] = (decided[decision] ?? 0) + 1;
      }
      return decided;
    },

    cancelRestingOrders: (tradeId, logger, why) => settleLegs(tradeId, logger, why),
  };
  return access;

  /**
   * Claims the order (pending -> sent: one sender however many try), sends it once, records the answer.
   * An exit waits for its entry: it is sent once the entry filled, and void when the entry never did.
   */
  async function send(order: OrderRow, logger: Logger): Promise<SendOutcome> {
    if (isProtective(order.leg)) return sendProtection(order.tradeId, logger);
    if (order.leg === "close") {
      const entry = await entryOrderState(deps.db, order.tradeId);
      if (entry === "void" || entry === "rejected" || entry === "cancelled") {
        const reason = `Nothing to close: the entry order ended ${entry}.`;
        return (await moveOrder(deps.db, order.id, "void", { reason })) ? "void" : "taken";
      }
      if (entry !== null && entry !== "filled") return "waiting";
      // The resting pair comes off first; a leg that filled meanwhile has closed the position already.
      const resting = await settleLegs(order.tradeId, logger, "Not needed: the trade is closed at market.");
      if (resting === "busy") return "waiting";
      if (resting === "filled") {
        // Void without reopening the trade: the leg's fill closed it (closeByProtection).
        const reason = "Nothing to close: a protective order filled on the exchange first.";
        return (await moveOrder(deps.db, order.id, "void", { reason })) ? "void" : "taken";
      }
    }
    if (!(await moveOrder(deps.db, order.id, "sent"))) return "taken";
    let result: OrderResult;
    try {
      const broker = await brokerFor(order.brokerAccountId);
      result = await broker.placeMarketOrder(order);
    } catch (error) {
      result = { status: "unknown", reason: `The send failed: ${describe(error)}` };
    }
    await record(order, result, logger);
    return "sent";
  }

  /**
   * Sends a trade's protective pair as one OCO list: both legs are claimed in one statement (one sender),
   * sent once, and each leg's answer recorded. Legs of a trade no longer open are void instead.
   */
  async function sendProtection(tradeId: string, logger: Logger): Promise<SendOutcome> {
    const legs = (await protectiveLegsOf(deps.db, tradeId)).filter((l) => l.state === "pending");
    const [stop, takeProfit] = [
      legs.find((l) => l.leg === "stop"),
      legs.find((l) => l.leg === "take_profit"),
    ];
    if (!stop || !takeProfit) return "taken";
    if ((await tradeStatus(deps.db, tradeId)) !== "open") {
      const reason = "Not needed: the trade was closed before its protection was sent.";
      return (await moveOrders(deps.db, [stop.id, takeProfit.id], "void", { reason })) > 0 ? "void" : "taken";
    }
    const claimed = await moveOrders(deps.db, [stop.id, takeProfit.id], "sent");
    if (claimed === 0) return "taken";
    let results: { stop: OrderResult; takeProfit: OrderResult };
    try {
      const broker = await brokerFor(stop.brokerAccountId);
      results = await broker.placeProtection({
        symbol: stop.symbol,
        side: stop.side,
        quantity: stop.quantity,
        stop: { clientOrderId: stop.clientOrderId, price: stop.triggerPrice! },
        takeProfit: { clientOrderId: takeProfit.clientOrderId, price: takeProfit.triggerPrice! },
      });
    } catch (error) {
      const unknown: OrderResult = { status: "unknown", reason: `The send failed: ${describe(error)}` };
      results = { stop: unknown, takeProfit: unknown };
    }
    await record(stop, results.stop, logger);
    await record(takeProfit, results.takeProfit, logger);
    return "sent";
  }

  /** See ExchangeAccess.cancelRestingOrders; also settles the sibling of a leg that filled. */
  async function settleLegs(tradeId: string, logger: Logger, why: string): Promise<RestingOutcome> {
    const pending = (await protectiveLegsOf(deps.db, tradeId)).filter((l) => l.state === "pending");
    if (pending.length > 0)
      await moveOrders(
        deps.db,
        pending.map((l) => l.id),
        "void",
        { reason: why },
      );
    const legs = await protectiveLegsOf(deps.db, tradeId);
    const outcome = () =>
      legs.some((l) => l.state === "filled")
        ? "filled"
        : legs.every((l) => isFinal(l.state))
          ? "clear"
          : "busy";
    const resting = legs.filter((l) => !isFinal(l.state));
    if (resting.length === 0 || resting.some((l) => l.state === "sent")) return outcome();
    try {
      const broker = await brokerFor(resting[0].brokerAccountId);
      const ref = (l: OrderRow) => ({ clientOrderId: l.clientOrderId, symbol: l.symbol, resting: true });
      // One leg's cancel takes its OCO list with it; false when nothing of it is open any more.
      await broker.cancelOrder(ref(resting.find((l) => l.state === "open") ?? resting[0]));
      for (const leg of resting) {
        const found = await broker.findOrder(ref(leg));
        if (found) await record(leg, found, logger);
        else if (leg.state === "unknown")
          await moveOrder(deps.db, leg.id, "void", {
            reason: `The exchange has no order ${leg.clientOrderId}.`,
          });
      }
    } catch (error) {
      logger.warn(
        { err: error, tradeId },
        "protective orders: the exchange could not cancel or show them; later",
      );
      return "busy";
    }
    legs.splice(0, legs.length, ...(await protectiveLegsOf(deps.db, tradeId)));
    return outcome();
  }

  /**
   * A pending order nobody sent: sent now while fresh, else void. A sent or unknown one: looked up by
   * its client id; found, its state is recorded; not found, it never reached the exchange and is void
   * (never re-sent: it may still be on the wire). Each decision is recorded with its reason.
   */
  async function reconcileOne(order: OrderRow, logger: Logger, now: number): Promise<string> {
    const log = logger.child({ orderId: order.id, clientOrderId: order.clientOrderId });
    const age = Math.round((now - order.createdAt) / 1000);
    if (order.state === "pending") {
      // Protection is wanted as long as its trade is open, however late; so is a kill-switch exit (ADR 148).
      const late = now - order.createdAt > timing.freshMs;
      if (isProtective(order.leg) || !late || (await isKillSwitchExit(deps.db, order))) {
        const outcome = await send(order, log);
        return outcome === "sent" ? "sent_late" : outcome;
      }
      await voidOrder(
        order,
        "pending",
        `Never sent: its worker stopped before sending, and the signal is ${age} s old.`,
        log,
      );
      return "void";
    }
    let found: OrderResult | null;
    try {
      found = await (
        await brokerFor(order.brokerAccountId)
      ).findOrder({ ...order, resting: isProtective(order.leg) });
    } catch (error) {
      log.warn(
        { err: error },
        "reconciliation: the exchange could not say whether the order exists; next round",
      );
      return "undecided";
    }
    if (!found) {
      await voidOrder(
        order,
        order.state,
        `The exchange has no order ${order.clientOrderId} (${age} s after the signal): it never arrived.`,
        log,
      );
      return "void";
    }
    await record(order, found, log);
    return found.status;
  }

  async function voidOrder(order: OrderRow, from: OrderState, reason: string, logger: Logger) {
    const recorded = await answer(order, { status: "void", reason }, logger);
    if (recorded.status === "recorded") logger.warn({ from, reason }, "order void");
  }

  /**
   * Records an exchange answer (or a void) as one guarded batch (ADR 153): its fills once each, the order's
   * state if its state allows, and what that does to the trade; then sends the pair it committed, or settles
   * a filled leg's sibling.
   */
  async function record(order: OrderRow, result: OrderResult, logger: Logger) {
    await answer(order, result, logger);
    if (
      order.leg === "close" &&
      (result.status === "filled" || result.status === "partially_filled") &&
      result.filledQuantity < order.quantity
    ) {
      logger.warn(
        { tradeId: order.tradeId, clientOrderId: order.clientOrderId, result },
        "exchange closing order partly filled: the rest of the position is still open at the exchange",
      );
    }
    if (result.status !== "filled" && !(isProtective(order.leg) && result.status !== "rejected")) {
      logger.warn(
        { tradeId: order.tradeId, clientOrderId: order.clientOrderId, result },
        "exchange order not filled",
      );
    }
  }

  async function answer(order: OrderRow, given: OrderAnswer, logger: Logger): Promise<AnswerRecorded> {
    const recorded = await recordOrderAnswer(deps.db, order.id, given, { clientOrderId });
    if (recorded.status === "contended") {
      logger.warn(
        { tradeId: order.tradeId, clientOrderId: order.clientOrderId, answer: given },
        "order answer not recorded: its trade kept changing; the reconciliation looks the order up again",
      );
    }
    if (recorded.status !== "recorded") return recorded;
    await publish(recorded.event, logger);
    if (recorded.protect) await sendProtection(order.tradeId, logger);
    if (recorded.settle) await settleLegs(order.tradeId, logger, "Not needed: its OCO sibling filled.");
    return recorded;
  }

  async function publish(event: EventRow | null, logger: Logger) {
    if (event && deps.bus) await publishEvents(deps.bus, [event], logger);
  }
}
