// Binance spot's signed order and account endpoints over the matching engine, with the order fault switches.
import { randomBytes } from "node:crypto";
import { authenticate } from "./accounts";
import { requestedMarket, spotMarket } from "./binance-market";
import {
  accountInfo,
  cancelledOrder,
  orderQuery,
  placedList,
  placedOrder,
  trade,
  type ResponseType,
} from "./binance-shapes";
import { isOpen, ORDER_TYPES, type OrderType, type Side, type SimOrder } from "./ledger";
import {
  advance,
  cancelOrder,
  placeOcoList,
  placeOrder,
  type Engine,
  type OrderRequest,
  type SpotMarket,
} from "./matching";
import { pathSegments, priceAt } from "./price-path";
import {
  binanceError,
  isSimResponse,
  json,
  routeKey,
  type Routes,
  type SimRequest,
  type SimResponse,
} from "./router";
import type { SimState } from "./state";

const SIDES: Side[] = ["BUY", "SELL"];
const TIMES_IN_FORCE = ["GTC", "IOC", "FOK"];
const RESPONSE_TYPES: ResponseType[] = ["ACK", "RESULT", "FULL"];
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const randomClientId = () => randomBytes(16).toString("base64url").slice(0, 22);

/** A request's parameters, read the way Binance reads them; the first bad one becomes the error answer. */
class Params {
  constructor(private readonly params: URLSearchParams) {}

  string(name: string): string | undefined {
    const value = this.params.get(name);
    return value === null || value === "" ? undefined : value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined)
      throw binanceError(
        400,
        -1102,
        `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
      );
    return value;
  }

  decimal(name: string, required = false): number | undefined {
    const value = required ? this.required(name) : this.string(name);
    if (value === undefined) return undefined;
    if (!DECIMAL.test(value))
      throw binanceError(
        400,
        -1100,
        `Illegal characters found in parameter '${name}'; legal range is '${DECIMAL.source}'.`,
      );
    return Number(value);
  }

  integer(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^\d{1,20}$/.test(value))
      throw binanceError(
        400,
        -1100,
        `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
      );
    return Number(value);
  }

  oneOf<T extends string>(
    name: string,
    allowed: readonly T[],
    code: number,
    msg: string,
    required = true,
  ): T | undefined {
    const value = required ? this.required(name) : this.string(name);
    if (value !== undefined && !allowed.includes(value as T)) throw binanceError(400, code, msg);
    return value as T | undefined;
  }

  clientId(name: string): string | undefined {
    const value = this.string(name);
    if (value !== undefined && !CLIENT_ID.test(value))
      throw binanceError(
        400,
        -1100,
        `Illegal characters found in parameter '${name}'; legal range is '${CLIENT_ID.source}'.`,
      );
    return value;
  }

  notSent(name: string) {
    if (this.string(name) !== undefined)
      throw binanceError(400, -1106, `Parameter '${name}' sent when not required.`);
  }

  /**
   * A history read's window: `startTime`/`endTime`, and `limit` (default 500, at most 1000) rows,
   * from a given id the first ones, otherwise the newest; oldest first either way.
   */
  page(fromId: boolean) {
    const startTime = this.integer("startTime") ?? -Infinity;
    const endTime = this.integer("endTime") ?? Infinity;
    const limit = Math.min(Math.max(this.integer("limit") ?? 500, 1), 1000);
    return {
      covers: (time: number) => time >= startTime && time <= endTime,
      of: <T>(rows: T[]) => (fromId ? rows.slice(0, limit) : rows.slice(-limit)),
    };
  }

  market(state: SimState): SpotMarket {
    const market = requestedMarket(state, this.string("symbol") ?? null);
    if (!("id" in market)) throw market;
    return market;
  }
}

/** One order's fields from its parameters, `prefix` naming an OCO leg's ("above", "below"). */
function orderRequest(p: Params, side: Side, prefix = ""): OrderRequest {
  const name = (field: string) => (prefix ? prefix + field[0].toUpperCase() + field.slice(1) : field);
  const type = p.oneOf(name("type"), ORDER_TYPES, -1116, "Invalid orderType.")!;
  const needsPrice = type === "LIMIT" || type === "LIMIT_MAKER" || type.endsWith("_LIMIT");
  const needsStop = type !== "MARKET" && type !== "LIMIT" && type !== "LIMIT_MAKER";
  const needsTimeInForce = type === "LIMIT" || type.endsWith("_LIMIT");
  if (!needsPrice) p.notSent(name("price"));
  if (!needsStop) p.notSent(name("stopPrice"));
  if (!needsTimeInForce) p.notSent(name("timeInForce"));
  return {
    side,
    type,
    clientOrderId: p.clientId(prefix ? name("clientOrderId") : "newClientOrderId") ?? randomClientId(),
    price: needsPrice ? p.decimal(name("price"), true) : undefined,
    stopPrice: needsStop ? p.decimal(name("stopPrice"), true) : undefined,
    timeInForce: needsTimeInForce
      ? p.oneOf(name("timeInForce"), TIMES_IN_FORCE, -1115, "Invalid timeInForce.")
      : undefined,
  };
}

function singleOrderRequest(p: Params): OrderRequest {
  const side = p.oneOf("side", SIDES, -1117, "Invalid side.")!;
  const request = orderRequest(p, side);
  const quantity = p.decimal("quantity");
  const quoteOrderQty = p.decimal("quoteOrderQty");
  if (request.type === "MARKET" && (quantity === undefined) === (quoteOrderQty === undefined))
    throw quantity === undefined
      ? binanceError(
          400,
          -1102,
          "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
        )
      : binanceError(400, -1128, "Combination of optional parameters invalid.");
  if (request.type !== "MARKET") {
    p.notSent("quoteOrderQty");
    p.required("quantity");
  }
  return { ...request, quantity, quoteOrderQty };
}

const SELL_ABOVE: OrderType[] = ["LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"];
const SELL_BELOW: OrderType[] = ["STOP_LOSS", "STOP_LOSS_LIMIT"];

/** POST /api/v3/orderList/oco's legs: a sell's take-profit above and stop below; a buy's the other way round. */
function ocoLegs(p: Params, side: Side): [OrderRequest, OrderRequest] {
  const above = orderRequest(p, side, "above");
  const below = orderRequest(p, side, "below");
  const [aboveTypes, belowTypes] = side === "SELL" ? [SELL_ABOVE, SELL_BELOW] : [SELL_BELOW, SELL_ABOVE];
  if (!aboveTypes.includes(above.type) || !belowTypes.includes(below.type))
    throw binanceError(400, -1128, "Combination of optional parameters invalid.");
  return [below, above];
}

/** The older POST /api/v3/order/oco: a limit maker at `price` and a stop at `stopPrice` (a stop-limit with `stopLimitPrice`). */
function legacyOcoLegs(p: Params, side: Side): [OrderRequest, OrderRequest] {
  const stopLimitPrice = p.decimal("stopLimitPrice");
  const stop: OrderRequest = {
    side,
    type: stopLimitPrice === undefined ? "STOP_LOSS" : "STOP_LOSS_LIMIT",
    clientOrderId: p.clientId("stopClientOrderId") ?? randomClientId(),
    stopPrice: p.decimal("stopPrice", true),
    price: stopLimitPrice,
    timeInForce:
      stopLimitPrice === undefined
        ? undefined
        : p.oneOf("stopLimitTimeInForce", TIMES_IN_FORCE, -1115, "Invalid timeInForce."),
  };
  const limit: OrderRequest = {
    side,
    type: "LIMIT_MAKER",
    clientOrderId: p.clientId("limitClientOrderId") ?? randomClientId(),
    price: p.decimal("price", true),
  };
  return [stop, limit];
}

const ownedOn = (row: { apiKey: string; symbol: string }, apiKey: string, market: SpotMarket) =>
  row.apiKey === apiKey && row.symbol === market.id;

export function createEngine(state: SimState): Engine {
  return {
    ledger: state.ledger,
    markets: state.symbols.map(spotMarket),
    priceAt: (market, t) => priceAt(state.source, market.unified, t),
    pathSegments: (market, from, to) => pathSegments(state.source, market.unified, from, to),
  };
}

/** Acts on resting orders up to the simulator's now (on each request and on a timer); persists what changed. */
export function checkRestingOrders(state: SimState, engine = createEngine(state)) {
  if (advance(engine, state.now())) state.ledgerChanged();
}

export function binanceOrderRoutes(state: SimState): Routes {
  const engine = createEngine(state);

  type Signed = (p: Params, apiKey: string) => SimResponse | Promise<SimResponse>;
  /** A signed endpoint: resting orders are brought up to now first, every thrown answer is returned. */
  const signed =
    (handler: Signed) =>
    async (request: SimRequest): Promise<SimResponse> => {
      checkRestingOrders(state, engine);
      const auth = authenticate(state.ledger, request, state.wallNow());
      if (!("apiKey" in auth)) return auth;
      try {
        return await handler(new Params(auth.params), auth.apiKey);
      } catch (error) {
        if (isSimResponse(error)) return error;
        throw error;
      }
    };

  /** An order placement under the fault switches: latency, 503 or a rejection before it executes, a lost answer after. */
  const placement = (execute: (p: Params, apiKey: string) => SimResponse) =>
    signed(async (p, apiKey) => {
      if (state.faults.orderLatencyMs > 0) await wait(state.faults.orderLatencyMs);
      // Read after the wait: the switches may have changed meanwhile.
      const faults = state.faults;
      checkRestingOrders(state, engine);
      if (faults.fail5xxBeforeExecute > 0) {
        faults.fail5xxBeforeExecute--;
        return binanceError(503, -1001, "Internal error; unable to process your request. Please try again.");
      }
      if (faults.reject.next > 0) {
        faults.reject = { ...faults.reject, next: faults.reject.next - 1 };
        return binanceError(400, faults.reject.code, faults.reject.msg);
      }
      const answer = execute(p, apiKey);
      if (answer.status !== 200) return answer;
      state.ledgerChanged();
      const drop = faults.dropAfterExecute;
      const dropped = drop.next > 0 || Math.random() < drop.fraction;
      if (!dropped) return answer;
      if (drop.next > 0) faults.dropAfterExecute = { ...drop, next: drop.next - 1 };
      if (drop.delayMs === 0) return { ...answer, destroy: true };
      await wait(drop.delayMs);
      return answer;
    });

  const responseType = (p: Params, fallback: ResponseType) =>
    p.oneOf(
      "newOrderRespType",
      RESPONSE_TYPES,
      -1100,
      "Illegal characters found in parameter 'newOrderRespType'.",
      false,
    ) ?? fallback;

  /** The account's order by orderId or origClientOrderId (the newest, as a client id is reused after a fill). */
  function findOrder(p: Params, apiKey: string, market: SpotMarket): SimOrder | undefined | null {
    const orderId = p.integer("orderId");
    const clientId = p.string("origClientOrderId");
    if (orderId === undefined && clientId === undefined) return null;
    return state.ledger.orders.findLast(
      (o) =>
        ownedOn(o, apiKey, market) &&
        (orderId === undefined || o.orderId === orderId) &&
        (clientId === undefined || o.clientOrderId === clientId),
    );
  }
  const NO_ID = binanceError(
    400,
    -1102,
    "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
  );

  const fillsOf = (order: SimOrder) => state.ledger.fills.filter((f) => f.orderId === order.orderId);

  return {
    [routeKey("POST", "/api/v3/order")]: placement((p, apiKey) => {
      const market = p.market(state);
      const request = singleOrderRequest(p);
      const type = responseType(p, request.type === "MARKET" || request.type === "LIMIT" ? "FULL" : "ACK");
      const placed = placeOrder(engine, apiKey, market, request, state.now());
      if (!placed.ok) return binanceError(400, placed.code, placed.msg);
      return json(placedOrder(placed.value, fillsOf(placed.value), type));
    }),

    ...Object.fromEntries(
      (["/api/v3/orderList/oco", "/api/v3/order/oco"] as const).map((path) => [
        routeKey("POST", path),
        placement((p, apiKey) => {
          const market = p.market(state);
          const side = p.oneOf("side", SIDES, -1117, "Invalid side.")!;
          const quantity = p.decimal("quantity", true)!;
          const legs = path === "/api/v3/order/oco" ? legacyOcoLegs(p, side) : ocoLegs(p, side);
          const type = responseType(p, "FULL");
          const listClientOrderId = p.clientId("listClientOrderId") ?? randomClientId();
          const placed = placeOcoList(engine, apiKey, market, legs, quantity, listClientOrderId, state.now());
          if (!placed.ok) return binanceError(400, placed.code, placed.msg);
          return json(placedList(placed.value.list, placed.value.orders, type));
        }),
      ]),
    ),

    [routeKey("GET", "/api/v3/order")]: signed((p, apiKey) => {
      const order = findOrder(p, apiKey, p.market(state));
      if (order === null) return NO_ID;
      return order ? json(orderQuery(order)) : binanceError(400, -2013, "Order does not exist.");
    }),

    [routeKey("DELETE", "/api/v3/order")]: signed(async (p, apiKey) => {
      const market = p.market(state);
      if (state.faults.orderLatencyMs > 0) await wait(state.faults.orderLatencyMs);
      checkRestingOrders(state, engine);
      const order = findOrder(p, apiKey, market);
      if (order === null) return NO_ID;
      if (!order || !isOpen(order)) return binanceError(400, -2011, "Unknown order sent.");
      const now = state.now();
      const cancelled = cancelOrder(engine, order, now);
      state.ledgerChanged();
      const cancelId = p.clientId("newClientOrderId") ?? randomClientId();
      return json(
        cancelledOrder(
          cancelled.find((o) => o.orderId === order.orderId)!,
          cancelId,
          now,
        ),
      );
    }),

    [routeKey("GET", "/api/v3/openOrders")]: signed((p, apiKey) => {
      const symbol = p.string("symbol") === undefined ? undefined : p.market(state).id;
      return json(
        state.ledger.orders
          .filter((o) => o.apiKey === apiKey && isOpen(o) && (symbol === undefined || o.symbol === symbol))
          .map(orderQuery),
      );
    }),

    // Cancels every open order of the account on the symbol (an OCO list with its first leg).
    [routeKey("DELETE", "/api/v3/openOrders")]: signed(async (p, apiKey) => {
      const market = p.market(state);
      if (state.faults.orderLatencyMs > 0) await wait(state.faults.orderLatencyMs);
      checkRestingOrders(state, engine);
      const now = state.now();
      const open = state.ledger.orders.filter((o) => ownedOn(o, apiKey, market) && isOpen(o));
      if (open.length === 0) return binanceError(400, -2011, "Unknown order sent.");
      const cancelled = open.flatMap((o) => (isOpen(o) ? cancelOrder(engine, o, now) : []));
      state.ledgerChanged();
      return json(cancelled.map((o) => cancelledOrder(o, randomClientId(), now)));
    }),

    [routeKey("GET", "/api/v3/allOrders")]: signed((p, apiKey) => {
      const market = p.market(state);
      const fromId = p.integer("orderId");
      const page = p.page(fromId !== undefined);
      const rows = state.ledger.orders.filter(
        (o) =>
          ownedOn(o, apiKey, market) && (fromId === undefined || o.orderId >= fromId) && page.covers(o.time),
      );
      return json(page.of(rows).map(orderQuery));
    }),

    [routeKey("GET", "/api/v3/myTrades")]: signed((p, apiKey) => {
      const market = p.market(state);
      const orderId = p.integer("orderId");
      const fromId = p.integer("fromId");
      const page = p.page(fromId !== undefined);
      const rows = state.ledger.fills.filter(
        (f) =>
          ownedOn(f, apiKey, market) &&
          (orderId === undefined || f.orderId === orderId) &&
          (fromId === undefined || f.id >= fromId) &&
          page.covers(f.time),
      );
      return json(page.of(rows).map(trade));
    }),

    [routeKey("GET", "/api/v3/account")]: signed((p, apiKey) =>
      json(accountInfo(state.ledger.accounts[apiKey], state.now(), p.string("omitZeroBalances") === "true")),
    ),
  };
}
