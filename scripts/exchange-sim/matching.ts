// The matching engine: places, fills, triggers and cancels orders against the price path, moving balances.
import {
  balanceOf,
  isOpen,
  type Account,
  type Ledger,
  type Lock,
  type OrderList,
  type OrderType,
  type Side,
  type SimOrder,
} from "./ledger";
import type { PathSegment } from "./price-path";

/** The spot symbol an order names: "BTCUSDT" trades BTC against USDT. */
export interface SpotMarket {
  id: string;
  base: string;
  quote: string;
  unified: string;
}

/** Binance's base spot commission, always charged in the quote asset here (see ADR 081). */
export const FEE_RATE = 0.001;
export const FILTERS = {
  tickSize: 0.00000001,
  minQty: 0.000001,
  maxQty: 90000,
  stepSize: 0.000001,
  minNotional: 5,
} as const;

const EPSILON = 1e-9;

export interface OrderRequest {
  side: Side;
  type: OrderType;
  clientOrderId: string;
  quantity?: number;
  quoteOrderQty?: number;
  price?: number;
  stopPrice?: number;
  timeInForce?: string;
}

export type Refusal = { code: number; msg: string };
export type Outcome<T> = { ok: true; value: T } | ({ ok: false } & Refusal);

const refuse = (code: number, msg: string): { ok: false } & Refusal => ({ ok: false, code, msg });
const INSUFFICIENT = refuse(-2010, "Account has insufficient balance for requested action.");

const isStop = (type: OrderType) => type.startsWith("STOP_LOSS") || type.startsWith("TAKE_PROFIT");
const hasLimit = (type: OrderType) => type === "LIMIT" || type === "LIMIT_MAKER" || type.endsWith("_LIMIT");
/**
 * On the step's grid to the last digits a double holds: `value / step` itself is off by up to ~1e-3 steps
 * at 60,000 with 1e-8 ticks (it refused one 8-decimal price in seven), so the distance is measured in price.
 */
const onStep = (value: number, step: number) =>
  Math.abs(value - Math.round(value / step) * step) <= 16 * Number.EPSILON * Math.max(Math.abs(value), step);

/** The price condition that makes a resting order act: the price at or below (or at or above) a level. */
function condition(order: SimOrder): { level: number; below: boolean } {
  if (isStop(order.type) && order.workingTime === -1) {
    const stopLoss = order.type.startsWith("STOP_LOSS");
    // A sell's stop-loss fires on a fall, its take-profit on a rise; a buy's the other way round.
    return { level: order.stopPrice, below: (order.side === "SELL") === stopLoss };
  }
  return { level: order.price, below: order.side === "BUY" };
}

const holds = (c: { level: number; below: boolean }, price: number) =>
  c.below ? price <= c.level + EPSILON : price >= c.level - EPSILON;

const marketable = (side: Side, limit: number, price: number) =>
  side === "BUY" ? price <= limit + EPSILON : price >= limit - EPSILON;

function checkFilters(request: OrderRequest, quantity: number, price: number): Refusal | null {
  for (const value of [request.price, request.stopPrice])
    if (value !== undefined && (value <= 0 || !onStep(value, FILTERS.tickSize)))
      return { code: -1013, msg: "Filter failure: PRICE_FILTER" };
  if (quantity < FILTERS.minQty - EPSILON || quantity > FILTERS.maxQty || !onStep(quantity, FILTERS.stepSize))
    return { code: -1013, msg: "Filter failure: LOT_SIZE" };
  if (quantity * price < FILTERS.minNotional - EPSILON)
    return { code: -1013, msg: "Filter failure: NOTIONAL" };
  return null;
}

/** What resting the order sets aside: a sell its base, a buy its quote at its worst price plus the fee. */
function lockFor(market: SpotMarket, side: Side, quantity: number, prices: number[]): Lock {
  return side === "SELL"
    ? { asset: market.base, amount: quantity }
    : { asset: market.quote, amount: quantity * Math.max(...prices) * (1 + FEE_RATE) };
}

function takeLock(account: Account, lock: Lock): boolean {
  const balance = balanceOf(account, lock.asset);
  if (balance.free + EPSILON < lock.amount) return false;
  balance.free -= lock.amount;
  balance.locked += lock.amount;
  return true;
}

function releaseLock(account: Account, holder: { lock: Lock | null }) {
  if (!holder.lock) return;
  const balance = balanceOf(account, holder.lock.asset);
  balance.locked -= holder.lock.amount;
  balance.free += holder.lock.amount;
  holder.lock = null;
}

export interface Engine {
  ledger: Ledger;
  markets: SpotMarket[];
  /** The price path's price for a market at simulated time t. */
  priceAt(market: SpotMarket, t: number): number;
  pathSegments(market: SpotMarket, from: number, to: number): PathSegment[];
}

const listOf = (ledger: Ledger, order: SimOrder) =>
  order.orderListId === -1 ? undefined : ledger.lists.find((l) => l.orderListId === order.orderListId);

/** Fills the whole order at `price`; false (and nothing changed but the released lock) when funds are short. */
function fill(engine: Engine, order: SimOrder, price: number, time: number, isMaker: boolean): boolean {
  const { ledger } = engine;
  const account = ledger.accounts[order.apiKey];
  const market = engine.markets.find((m) => m.id === order.symbol)!;
  const list = listOf(ledger, order);
  releaseLock(account, list ?? order);
  const quoteQty = order.origQty * price;
  const commission = quoteQty * FEE_RATE;
  const base = balanceOf(account, market.base);
  const quote = balanceOf(account, market.quote);
  if (
    order.side === "BUY" ? quote.free + EPSILON < quoteQty + commission : base.free + EPSILON < order.origQty
  )
    return false;
  if (order.side === "BUY") {
    quote.free -= quoteQty + commission;
    base.free += order.origQty;
  } else {
    base.free -= order.origQty;
    quote.free += quoteQty - commission;
  }
  Object.assign(order, {
    status: "FILLED",
    executedQty: order.origQty,
    cummulativeQuoteQty: quoteQty,
    updateTime: time,
  });
  if (order.workingTime === -1) order.workingTime = time;
  ledger.fills.push({
    apiKey: order.apiKey,
    symbol: order.symbol,
    id: ledger.nextTradeId++,
    orderId: order.orderId,
    orderListId: order.orderListId,
    price,
    qty: order.origQty,
    quoteQty,
    commission,
    commissionAsset: market.quote,
    time,
    isBuyer: order.side === "BUY",
    isMaker,
  });
  if (list) endList(ledger, list, time);
  return true;
}

/** One leg of a list has filled (or was cancelled): the others expire (cancelled), the list is done. */
function endList(ledger: Ledger, list: OrderList, time: number, status: "EXPIRED" | "CANCELED" = "EXPIRED") {
  for (const order of ledger.orders)
    if (list.orderIds.includes(order.orderId) && isOpen(order))
      Object.assign(order, { status, updateTime: time });
  releaseLock(ledger.accounts[list.apiKey], list);
  list.status = "ALL_DONE";
}

function duplicateClientId(ledger: Ledger, apiKey: string, ids: string[]): boolean {
  return ledger.orders.some((o) => o.apiKey === apiKey && isOpen(o) && ids.includes(o.clientOrderId));
}

/** Checks a resting order's prices against the market now; the refusal Binance gives when it would act at once. */
function restingRefusal(request: OrderRequest, price: number): Refusal | null {
  if (isStop(request.type)) {
    const stopLoss = request.type.startsWith("STOP_LOSS");
    const fires = holds({ level: request.stopPrice!, below: (request.side === "SELL") === stopLoss }, price);
    return fires ? { code: -2010, msg: "Stop price would trigger immediately." } : null;
  }
  if (request.type === "LIMIT_MAKER" && marketable(request.side, request.price!, price))
    return { code: -2010, msg: "Order would immediately match and take." };
  return null;
}

function newOrder(
  engine: Engine,
  apiKey: string,
  market: SpotMarket,
  request: OrderRequest,
  quantity: number,
  now: number,
  orderListId = -1,
): SimOrder {
  return {
    apiKey,
    symbol: market.id,
    orderId: engine.ledger.nextOrderId++,
    orderListId,
    clientOrderId: request.clientOrderId,
    side: request.side,
    type: request.type,
    timeInForce: request.timeInForce ?? "GTC",
    origQty: quantity,
    price: hasLimit(request.type) ? request.price! : 0,
    stopPrice: isStop(request.type) ? request.stopPrice! : 0,
    status: "NEW",
    executedQty: 0,
    cummulativeQuoteQty: 0,
    time: now,
    updateTime: now,
    workingTime: isStop(request.type) ? -1 : now,
    lock: null,
  };
}

/** Places one order: a market order (or a marketable limit) fills at the path's price now, others rest. */
export function placeOrder(
  engine: Engine,
  apiKey: string,
  market: SpotMarket,
  request: OrderRequest,
  now: number,
): Outcome<SimOrder> {
  const { ledger } = engine;
  const account = ledger.accounts[apiKey];
  const price = engine.priceAt(market, now);
  const quantity =
    request.quantity ?? Math.floor(request.quoteOrderQty! / price / FILTERS.stepSize) * FILTERS.stepSize;
  const filtered = checkFilters(request, quantity, hasLimit(request.type) ? request.price! : price);
  if (filtered) return refuse(filtered.code, filtered.msg);
  if (duplicateClientId(ledger, apiKey, [request.clientOrderId]))
    return refuse(-2010, "Duplicate order sent.");
  const resting = restingRefusal(request, price);
  if (resting) return refuse(resting.code, resting.msg);
  const order = newOrder(engine, apiKey, market, request, quantity, now);
  const takes =
    request.type === "MARKET" ||
    (request.type === "LIMIT" && marketable(request.side, request.price!, price));
  if (takes) {
    if (!fill(engine, order, price, now, false)) return INSUFFICIENT;
  } else if (request.type === "LIMIT" && request.timeInForce !== "GTC") {
    // IOC and FOK orders that cannot match at once expire without resting.
    Object.assign(order, { status: "EXPIRED" });
  } else {
    const lock = lockFor(market, request.side, quantity, [order.price, order.stopPrice]);
    if (!takeLock(account, lock)) return INSUFFICIENT;
    order.lock = lock;
  }
  ledger.orders.push(order);
  return { ok: true, value: order };
}

/** Places an OCO pair sharing one lock: when one leg fills the other expires. */
export function placeOcoList(
  engine: Engine,
  apiKey: string,
  market: SpotMarket,
  legs: [OrderRequest, OrderRequest],
  quantity: number,
  listClientOrderId: string,
  now: number,
): Outcome<{ list: OrderList; orders: SimOrder[] }> {
  const { ledger } = engine;
  const price = engine.priceAt(market, now);
  for (const leg of legs) {
    const refusal = checkFilters(leg, quantity, leg.price ?? leg.stopPrice!) ?? restingRefusal(leg, price);
    if (refusal) return refuse(refusal.code, refusal.msg);
  }
  if (
    duplicateClientId(
      ledger,
      apiKey,
      legs.map((l) => l.clientOrderId),
    ) ||
    legs[0].clientOrderId === legs[1].clientOrderId
  )
    return refuse(-2010, "Duplicate order sent.");
  const prices = legs.flatMap((l) => [l.price ?? 0, l.stopPrice ?? 0]);
  const lock = lockFor(market, legs[0].side, quantity, prices);
  if (!takeLock(ledger.accounts[apiKey], lock)) return INSUFFICIENT;
  const orderListId = ledger.nextListId++;
  const orders = legs.map((leg) => newOrder(engine, apiKey, market, leg, quantity, now, orderListId));
  const list: OrderList = {
    apiKey,
    symbol: market.id,
    orderListId,
    listClientOrderId,
    orderIds: orders.map((o) => o.orderId),
    status: "EXECUTING",
    transactionTime: now,
    lock,
  };
  ledger.orders.push(...orders);
  ledger.lists.push(list);
  return { ok: true, value: { list, orders } };
}

/** Cancels an open order; a leg of a list takes the whole list with it. Returns the orders cancelled. */
export function cancelOrder(engine: Engine, order: SimOrder, now: number): SimOrder[] {
  const list = listOf(engine.ledger, order);
  if (list) {
    const open = engine.ledger.orders.filter((o) => list.orderIds.includes(o.orderId) && isOpen(o));
    endList(engine.ledger, list, now, "CANCELED");
    return open;
  }
  releaseLock(engine.ledger.accounts[order.apiKey], order);
  Object.assign(order, { status: "CANCELED", updateTime: now });
  return [order];
}

/** Where on a segment an order first acts: the fraction along it and the market price there. */
function crossing(order: SimOrder, s: PathSegment): { f: number; price: number } | null {
  const c = condition(order);
  if (holds(c, s.p0)) return { f: 0, price: s.p0 };
  if (!holds(c, s.p1)) return null;
  const jump = s.t1 === s.t0;
  return { f: jump ? 1 : (c.level - s.p0) / (s.p1 - s.p0), price: jump ? s.p1 : c.level };
}

/** Acts on an order whose condition came true at (time, price): fills it, or triggers a stop-limit that cannot fill yet. */
function act(engine: Engine, order: SimOrder, time: number, price: number) {
  const triggering = isStop(order.type) && order.workingTime === -1;
  if (triggering && hasLimit(order.type)) {
    order.workingTime = time;
    order.updateTime = time;
    if (!marketable(order.side, order.price, price)) return;
  }
  // A resting limit fills at its own price (it is the maker); a triggered stop takes the market's.
  const filled = triggering
    ? fill(engine, order, price, time, false)
    : fill(engine, order, order.price, time, true);
  if (!filled) {
    Object.assign(order, { status: "EXPIRED", updateTime: time });
    const list = listOf(engine.ledger, order);
    if (list) endList(engine.ledger, list, time);
  }
}

/** Walks every market's price path from where the last check ended to `to`, acting on resting orders in time order. */
export function advance(engine: Engine, to: number): boolean {
  const { ledger } = engine;
  const from = ledger.checkedUntil;
  // A clock that went back (a restart under --time-scale starts it afresh) walks the path again from there.
  ledger.checkedUntil = to;
  if (from === 0 || to <= from) return false;
  let changed = false;
  for (const market of engine.markets) {
    const resting = () => ledger.orders.filter((o) => o.symbol === market.id && isOpen(o));
    if (resting().length === 0) continue;
    for (const segment of engine.pathSegments(market, from, to)) {
      let s = segment;
      for (;;) {
        let first: { order: SimOrder; f: number; price: number } | null = null;
        for (const order of resting()) {
          const hit = crossing(order, s);
          if (hit && (!first || hit.f < first.f)) first = { order, ...hit };
        }
        if (!first) break;
        const time = s.t0 + first.f * (s.t1 - s.t0);
        act(engine, first.order, time, first.price);
        changed = true;
        s = { t0: time, p0: first.price, t1: s.t1, p1: s.p1 };
      }
    }
  }
  return changed;
}
