// Binance spot's answer bodies for orders, order lists, fills and the account, built from the ledger's records.
import type { Account, Fill, OrderList, SimOrder } from "./ledger";

// Sums of floats can land a hair below zero; Binance never shows "-0.00000000".
const fixed8 = (n: number) => Math.max(n, 0).toFixed(8);

export type ResponseType = "ACK" | "RESULT" | "FULL";

/** The fields every order answer carries; field order does not matter to JSON clients. */
function orderFields(o: SimOrder) {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    price: fixed8(o.price),
    origQty: fixed8(o.origQty),
    executedQty: fixed8(o.executedQty),
    cummulativeQuoteQty: fixed8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    selfTradePreventionMode: "EXPIRE_MAKER",
  };
}

/** Placement and cancel answers show a stop price only for stops. */
const stopPriceIfAny = (o: SimOrder) => (o.stopPrice > 0 ? { stopPrice: fixed8(o.stopPrice) } : {});

/** GET /api/v3/order and openOrders. */
export function orderQuery(o: SimOrder) {
  return {
    ...orderFields(o),
    stopPrice: fixed8(o.stopPrice),
    icebergQty: "0.00000000",
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.workingTime !== -1,
    workingTime: o.workingTime,
    origQuoteOrderQty: "0.00000000",
  };
}

/** POST /api/v3/order's answer: ACK (ids), RESULT (the order) or FULL (the order and its fills). */
export function placedOrder(o: SimOrder, fills: Fill[], type: ResponseType) {
  if (type === "ACK")
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: o.orderListId,
      clientOrderId: o.clientOrderId,
      transactTime: o.time,
    };
  const result = {
    ...orderFields(o),
    transactTime: o.time,
    origQuoteOrderQty: "0.00000000",
    ...stopPriceIfAny(o),
    workingTime: o.workingTime,
  };
  if (type === "RESULT") return result;
  return {
    ...result,
    fills: fills.map((f) => ({
      price: fixed8(f.price),
      qty: fixed8(f.qty),
      commission: fixed8(f.commission),
      commissionAsset: f.commissionAsset,
      tradeId: f.id,
    })),
  };
}

/** DELETE /api/v3/order's answer: the order under a fresh client id, its own as origClientOrderId. */
export function cancelledOrder(o: SimOrder, cancelClientOrderId: string, now: number) {
  return {
    ...orderFields(o),
    origClientOrderId: o.clientOrderId,
    clientOrderId: cancelClientOrderId,
    transactTime: now,
    ...stopPriceIfAny(o),
  };
}

/** An OCO list's answer: its legs' ids and, unless ACK, each leg's report. */
export function placedList(list: OrderList, orders: SimOrder[], type: ResponseType) {
  return {
    orderListId: list.orderListId,
    contingencyType: "OCO",
    listStatusType: list.status === "EXECUTING" ? "EXEC_STARTED" : "ALL_DONE",
    listOrderStatus: list.status,
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.transactionTime,
    symbol: list.symbol,
    orders: orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
    ...(type === "ACK" ? {} : { orderReports: orders.map((o) => placedOrder(o, [], "RESULT")) }),
  };
}

/** GET /api/v3/myTrades row. */
export function trade(f: Fill) {
  return {
    symbol: f.symbol,
    id: f.id,
    orderId: f.orderId,
    orderListId: f.orderListId,
    price: fixed8(f.price),
    qty: fixed8(f.qty),
    quoteQty: fixed8(f.quoteQty),
    commission: fixed8(f.commission),
    commissionAsset: f.commissionAsset,
    time: f.time,
    isBuyer: f.isBuyer,
    isMaker: f.isMaker,
    isBestMatch: true,
  };
}

/** GET /api/v3/account. */
export function accountInfo(account: Account, now: number, omitZeroBalances: boolean) {
  const balances = Object.entries(account.balances)
    .filter(([, b]) => !omitZeroBalances || b.free > 0 || b.locked > 0)
    .map(([asset, b]) => ({ asset, free: fixed8(b.free), locked: fixed8(b.locked) }));
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: "0.00100000", taker: "0.00100000", buyer: "0.00000000", seller: "0.00000000" },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: "SPOT",
    balances,
    permissions: ["SPOT"],
    uid: 0,
  };
}
