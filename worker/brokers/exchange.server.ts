// The exchange broker: market orders through ccxt with our client order id, never sent twice blindly.
import ccxt, { type Exchange } from "ccxt";
import { z } from "zod";
import type { MarketLimits } from "../risk/size-position";
import type { Broker, ExchangeFill, MarketOrder, OrderResult, OrderSide } from "./broker";
import { createCcxtExchange, type CcxtExchangeOptions } from "./ccxt-exchange.server";

/** The part of ccxt's unified order we rely on; anything else in an exchange answer is ignored. */
const feeSchema = z.object({ cost: z.number().nullish(), currency: z.string().nullish() });
const unifiedOrderSchema = z.object({
  id: z.string(),
  clientOrderId: z.string().nullish(),
  symbol: z.string(),
  status: z.string().nullish(),
  average: z.number().nullish(),
  price: z.number().nullish(),
  filled: z.number().nullish(),
  fee: feeSchema.nullish(),
  fees: z.array(feeSchema).nullish(),
  trades: z.array(z.unknown()).nullish(),
  lastTradeTimestamp: z.number().nullish(),
  lastUpdateTimestamp: z.number().nullish(),
});
type UnifiedOrder = z.infer<typeof unifiedOrderSchema>;

/** ccxt's unified trade: the exchange's trade id, price, amount and fee. */
const unifiedTradeSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  price: z.number(),
  amount: z.number(),
  fee: feeSchema.nullish(),
  timestamp: z.number().nullish(),
});

const marketLimitsSchema = z.object({
  precision: z.object({ amount: z.number().positive().nullish() }),
  limits: z.object({
    amount: z.object({ min: z.number().nonnegative().nullish() }).nullish(),
    cost: z.object({ min: z.number().nonnegative().nullish() }).nullish(),
  }),
});

/** A trade's protective pair: one OCO list closing `quantity` on `side`, a stop-loss and a take-profit leg. */
export interface ProtectionRequest {
  symbol: string;
  side: OrderSide;
  quantity: number;
  stop: { clientOrderId: string; price: number };
  takeProfit: { clientOrderId: string; price: number };
}

/** Which order a look-up or a cancel names; `resting` for a protective leg (open and cancelled are states of it). */
export type OrderRef = Pick<MarketOrder, "clientOrderId" | "symbol"> & { resting?: boolean };

export interface ExchangeBroker extends Broker {
  loadLimits(symbol: string): Promise<MarketLimits>;
  /** The order the exchange has under our client id, as a result; null when it has none. Throws when it cannot tell. */
  findOrder(order: OrderRef): Promise<OrderResult | null>;
  /**
   * Places the pair as one OCO list (Binance: POST /api/v3/orderList/oco, the take-profit a LIMIT_MAKER,
   * the stop-loss a STOP_LOSS market order): each leg's result; an ambiguous answer is settled by look-ups.
   */
  placeProtection(request: ProtectionRequest): Promise<{ stop: OrderResult; takeProfit: OrderResult }>;
  /** Cancels the order (an OCO leg takes its list with it); false when the exchange holds no such open order. */
  cancelOrder(order: OrderRef): Promise<boolean>;
}

export interface ExchangeBrokerOptions extends CcxtExchangeOptions {
  /** A prepared client (tests, or a caller that shares one); otherwise built from the options. */
  exchange?: Exchange;
  /** Look-ups by client id after an ambiguous failure, spaced by `lookupBackoffMs` × attempt. */
  lookupAttempts?: number;
  lookupBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failure after which the order may exist: the network, or a "duplicate" that proves it does. */
function isAmbiguous(error: unknown): boolean {
  if (error instanceof ccxt.NetworkError || error instanceof ccxt.BadResponse) return true;
  return error instanceof ccxt.InvalidOrder && /duplicate order/i.test(error.message);
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * The OCO list's request as Binance spot takes it: closing a long (a sell), the take-profit is the leg above
 * and the stop below; closing a short (a buy), the other way round. Answers the legs' order reports.
 */
async function placeOco(exchange: Exchange, request: ProtectionRequest): Promise<unknown[]> {
  const price = (p: number) => String(exchange.priceToPrecision(request.symbol, p));
  const stop = {
    Type: "STOP_LOSS",
    StopPrice: price(request.stop.price),
    ClientOrderId: request.stop.clientOrderId,
  };
  const target = {
    Type: "LIMIT_MAKER",
    Price: price(request.takeProfit.price),
    ClientOrderId: request.takeProfit.clientOrderId,
  };
  const [above, below] = request.side === "sell" ? [target, stop] : [stop, target];
  const prefixed = (prefix: string, leg: Record<string, string>) =>
    Object.fromEntries(Object.entries(leg).map(([k, v]) => [prefix + k, v]));
  const answer =
    (await (
      exchange as unknown as { privatePostOrderListOco(p: object): Promise<{ orderReports?: unknown[] }> }
    ).privatePostOrderListOco({
      symbol: exchange.market(request.symbol).id,
      side: request.side.toUpperCase(),
      quantity: String(exchange.amountToPrecision(request.symbol, request.quantity)),
      newOrderRespType: "FULL",
      ...prefixed("above", above),
      ...prefixed("below", below),
    })) ?? {};
  return answer.orderReports ?? [];
}

export function createExchangeBroker(options: ExchangeBrokerOptions): ExchangeBroker {
  const exchange = options.exchange ?? createCcxtExchange(options);
  const lookupAttempts = options.lookupAttempts ?? 3;
  const lookupBackoffMs = options.lookupBackoffMs ?? 1_000;
  const sleep = options.sleep ?? wait;
  const placeOcoList = (request: ProtectionRequest) => placeOco(exchange, request);

  /** Fees in the quote currency: quote fees as they are, base fees at the fill price; others (BNB) are not counted. */
  function quoteFee(fees: z.infer<typeof feeSchema>[], symbol: string, fillPrice: number): number {
    const [base, quote] = symbol.split("/");
    return fees.reduce((sum, fee) => {
      if (fee.cost == null) return sum;
      if (fee.currency === quote) return sum + fee.cost;
      if (fee.currency === base) return sum + fee.cost * fillPrice;
      return sum;
    }, 0);
  }

  async function toResult(order: UnifiedOrder, resting = false): Promise<OrderResult> {
    const filled = order.filled ?? 0;
    const fillPrice = order.average ?? order.price ?? null;
    if (filled <= 0 || fillPrice === null) {
      if (order.status === "open")
        return resting
          ? { status: "open", exchangeOrderId: order.id }
          : { status: "unknown", reason: `Order ${order.id} is still open on the exchange.` };
      if (resting)
        return {
          status: "cancelled",
          reason: `Order ${order.id} ended ${order.status ?? "without a status"} with nothing filled.`,
          exchangeOrderId: order.id,
        };
      return {
        status: "rejected",
        reason: `Order ${order.id} ended ${order.status ?? "without a status"} with nothing filled.`,
        exchangeOrderId: order.id,
      };
    }
    const fills = await fillsOf(order);
    const status = order.status === "open" ? "partially_filled" : "filled";
    const times = fills.flatMap((f) => (f.time === undefined ? [] : [f.time]));
    const filledAt =
      times.length > 0
        ? Math.max(...times)
        : (order.lastTradeTimestamp ?? order.lastUpdateTimestamp ?? undefined);
    if (fills.length === 0) {
      // An exchange that names no trades: the order's own aggregate.
      const fees = order.fees?.length ? order.fees : order.fee ? [order.fee] : [];
      return {
        status,
        fillPrice,
        filledQuantity: filled,
        fee: quoteFee(fees, order.symbol, fillPrice),
        exchangeOrderId: order.id,
        ...(filledAt === undefined ? {} : { filledAt }),
      };
    }
    const quantity = fills.reduce((s, f) => s + f.quantity, 0);
    return {
      status,
      fillPrice: fills.reduce((s, f) => s + f.price * f.quantity, 0) / quantity,
      filledQuantity: quantity,
      fee: fills.reduce((s, f) => s + f.fee, 0),
      exchangeOrderId: order.id,
      fills,
      ...(filledAt === undefined ? {} : { filledAt }),
    };
  }

  /** The order's fills under the exchange's trade ids: from the answer (Binance FULL), else read back. */
  async function fillsOf(order: UnifiedOrder): Promise<ExchangeFill[]> {
    let trades = z.array(unifiedTradeSchema).safeParse(order.trades ?? []).data ?? [];
    if (trades.length === 0)
      trades = z.array(unifiedTradeSchema).parse(await exchange.fetchOrderTrades(order.id, order.symbol));
    return trades.map((t) => ({
      tradeId: t.id,
      price: t.price,
      quantity: t.amount,
      fee: quoteFee(t.fee ? [t.fee] : [], order.symbol, t.price),
      ...(t.timestamp == null ? {} : { time: t.timestamp }),
    }));
  }

  /** Finds the order by our client id; null when the exchange says it does not exist. */
  async function lookUp(order: OrderRef): Promise<UnifiedOrder | null> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= lookupAttempts; attempt++) {
      try {
        const found = await exchange.fetchOrder(undefined as unknown as string, order.symbol, {
          origClientOrderId: order.clientOrderId,
        });
        return unifiedOrderSchema.parse(found);
      } catch (error) {
        lastError = error;
        if (error instanceof ccxt.OrderNotFound && attempt === lookupAttempts) return null;
        if (!(error instanceof ccxt.OrderNotFound) && !(error instanceof ccxt.NetworkError)) throw error;
      }
      await sleep(lookupBackoffMs * attempt);
    }
    throw lastError;
  }

  return {
    async placeMarketOrder(order) {
      let placed: unknown;
      try {
        placed = await exchange.createOrder(order.symbol, "market", order.side, order.quantity, undefined, {
          newClientOrderId: order.clientOrderId,
          newOrderRespType: "FULL",
        });
      } catch (error) {
        if (!isAmbiguous(error)) {
          if (error instanceof ccxt.ExchangeError)
            return { status: "rejected", reason: describeError(error) };
          throw error;
        }
        let found: UnifiedOrder | null;
        try {
          found = await lookUp(order);
        } catch (lookupError) {
          return {
            status: "unknown",
            reason: `${describeError(error)}; look-up by client id ${order.clientOrderId} failed: ${describeError(lookupError)}`,
          };
        }
        if (found === null) {
          return {
            status: "rejected",
            reason: `Not placed: ${describeError(error)}; the exchange has no order ${order.clientOrderId}.`,
          };
        }
        return toResult(found);
      }
      return toResult(unifiedOrderSchema.parse(placed));
    },

    async findOrder(order) {
      const found = await lookUp(order);
      return found ? toResult(found, order.resting) : null;
    },

    async placeProtection(request) {
      const legs = { stop: request.stop, takeProfit: request.takeProfit };
      let reports: unknown[];
      try {
        reports = await placeOcoList(request);
      } catch (error) {
        if (!isAmbiguous(error)) {
          if (!(error instanceof ccxt.ExchangeError)) throw error;
          const refused: OrderResult = { status: "rejected", reason: describeError(error) };
          return { stop: refused, takeProfit: refused };
        }
        try {
          const found = {
            stop: await lookUp({ ...legs.stop, symbol: request.symbol }),
            takeProfit: await lookUp({ ...legs.takeProfit, symbol: request.symbol }),
          };
          const settle = async (leg: UnifiedOrder | null): Promise<OrderResult> =>
            leg
              ? toResult(leg, true)
              : {
                  status: "rejected",
                  reason: `Not placed: ${describeError(error)}; the exchange has no such order.`,
                };
          return { stop: await settle(found.stop), takeProfit: await settle(found.takeProfit) };
        } catch (lookupError) {
          const unknown: OrderResult = {
            status: "unknown",
            reason: `${describeError(error)}; look-up by client id failed: ${describeError(lookupError)}`,
          };
          return { stop: unknown, takeProfit: unknown };
        }
      }
      const market = exchange.market(request.symbol);
      const orders = reports.map((r) => unifiedOrderSchema.parse(exchange.parseOrder(r as never, market)));
      const resultOf = async (clientOrderId: string): Promise<OrderResult> => {
        const order = orders.find((o) => o.clientOrderId === clientOrderId);
        if (!order) return { status: "unknown", reason: `The answer does not name ${clientOrderId}.` };
        return toResult(order, true);
      };
      return {
        stop: await resultOf(legs.stop.clientOrderId),
        takeProfit: await resultOf(legs.takeProfit.clientOrderId),
      };
    },

    async cancelOrder(order) {
      try {
        await exchange.cancelOrder(undefined as unknown as string, order.symbol, {
          origClientOrderId: order.clientOrderId,
        });
        return true;
      } catch (error) {
        if (error instanceof ccxt.OrderNotFound) return false;
        throw error;
      }
    },

    async loadLimits(symbol) {
      const markets = await exchange.loadMarkets();
      const market = markets[symbol];
      if (!market) throw new ccxt.BadSymbol(`${exchange.id} has no market ${symbol}`);
      const parsed = marketLimitsSchema.parse(market);
      // Binance reports precision as a step (TICK_SIZE); some venues as a number of decimals.
      const stepOf = (precision: number) =>
        exchange.precisionMode === ccxt.DECIMAL_PLACES ? 10 ** -precision : precision;
      const minNotional = parsed.limits.cost?.min ?? undefined;
      return {
        minQuantity: parsed.limits.amount?.min ?? 0,
        quantityStep: stepOf(parsed.precision.amount ?? 0),
        ...(minNotional !== undefined ? { minNotional } : {}),
      };
    },
  };
}
