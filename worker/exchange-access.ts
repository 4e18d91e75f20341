// Exchange accounts for the coordinator: market limits before the commit, orders after it (credentials decrypted only here).
import { eq } from "drizzle-orm";
import type { Db } from "../db/store/client";
import type { Bus } from "../db/infra/bus";
import type { Logger } from "../db/platform/logger.server";
import { loadBrokerCredentials } from "../db/store/queries/broker-accounts";
import { applyExchangeExitFill, applyExchangeFill } from "../db/store/queries/fan-out";
import { brokerAccounts, type EventRow } from "../db/store/schema";
import type { ExchangeBroker } from "./brokers/exchange.server";
import type { PendingOrder } from "./fan-out";
import { publishEvents } from "./jobs/publish-events";
import type { MarketLimits } from "./risk/size-position";

export interface ExchangeAccess {
  /** Called before the commit: the market's limits for sizing, or why this account cannot trade now. */
  prepare(
    brokerAccountId: string,
    symbol: string,
  ): Promise<{ limits: MarketLimits } | { unavailable: string }>;
  /** Called after the commit: sends each order once and records the exchange's fills (entry and exit prices, fees). */
  placeOrders(orders: PendingOrder[], logger: Logger): Promise<void>;
}

/** For workers that must not trade on exchanges (tests, benches, a deployment without keys). */
export const exchangesDisabled: ExchangeAccess = {
  prepare: async () => ({ unavailable: "Exchange accounts are not enabled on this worker." }),
  placeOrders: async () => {},
};

export function createExchangeAccess(deps: {
  db: Db;
  /** Where the fills' "trade.filled" events are published (the rows are in the outbox either way). */
  bus?: Bus;
  encryptionKey: string;
  /** How long a built client (and its decrypted keys) is kept in memory. */
  clientTtlMs?: number;
  buildBroker?: (o: {
    exchangeId: string;
    apiKey: string;
    secret: string;
    sandbox: boolean;
  }) => ExchangeBroker | Promise<ExchangeBroker>;
}): ExchangeAccess {
  const ttl = deps.clientTtlMs ?? 10 * 60_000;
  // ccxt is loaded on the first exchange account only: it triples the worker's memory, and every
  // sandbox spawn forks that memory's page tables on the event-loop thread.
  const build =
    deps.buildBroker ??
    (async (o: { exchangeId: string; apiKey: string; secret: string; sandbox: boolean }) =>
      (await import("./brokers/exchange.server")).createExchangeBroker(o));
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
    const broker = await build({ exchangeId: account.exchange, ...credentials, sandbox: account.testnet });
    clients.set(accountId, { broker, expires: Date.now() + ttl });
    return broker;
  }

  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

  return {
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

    async placeOrders(orders, logger) {
      for (const order of orders) {
        try {
          const broker = await brokerFor(order.brokerAccountId);
          const result = await broker.placeMarketOrder(order);
          let event: EventRow | null = null;
          if (order.leg === "close" && result.status === "filled") {
            event = await applyExchangeExitFill(deps.db, order.tradeId, {
              exitPrice: result.fillPrice,
              exitFee: result.fee,
            });
            if (result.filledQuantity < order.quantity) {
              logger.warn(
                { tradeId: order.tradeId, clientOrderId: order.clientOrderId, result },
                "exchange closing order partly filled: the rest of the position is still open at the exchange",
              );
            }
          } else if (order.leg === "open" && result.status === "filled") {
            event = await applyExchangeFill(deps.db, order.tradeId, {
              status: "filled",
              entryPrice: result.fillPrice,
              quantity: result.filledQuantity,
              entryFee: result.fee,
            });
          } else if (order.leg === "open" && result.status === "rejected") {
            event = await applyExchangeFill(deps.db, order.tradeId, {
              status: "rejected",
              reason: result.reason,
            });
          }
          if (event && deps.bus) await publishEvents(deps.bus, [event], logger);
          if (result.status !== "filled") {
            logger.warn(
              { tradeId: order.tradeId, clientOrderId: order.clientOrderId, result },
              "exchange order not filled",
            );
          }
        } catch (error) {
          // Never re-sent blindly: the trade row and the client order id let an operator reconcile it.
          logger.error(
            { err: error, tradeId: order.tradeId, clientOrderId: order.clientOrderId },
            "exchange order failed",
          );
        }
      }
    },
  };
}
