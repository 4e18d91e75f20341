// What the simulator's accounts hold and did: balances, orders, order lists and fills; the part that is persisted.

export type Side = "BUY" | "SELL";
/** The spot order types the simulator knows (exchangeInfo lists them; ccxt checks against that list). */
export const ORDER_TYPES = [
  "MARKET",
  "LIMIT",
  "LIMIT_MAKER",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];
/** Binance's statuses; every fill is whole, so PARTIALLY_FILLED never occurs. */
export type OrderStatus = "NEW" | "FILLED" | "CANCELED" | "EXPIRED";

export interface Balance {
  free: number;
  locked: number;
}

export interface Account {
  apiKey: string;
  secret: string;
  /** Per asset ("USDT", "BTC"). */
  balances: Record<string, Balance>;
}

/** Funds set aside while an order (or an order list, for both its legs) rests. */
export interface Lock {
  asset: string;
  amount: number;
}

export interface SimOrder {
  apiKey: string;
  /** The exchange's symbol, e.g. BTCUSDT. */
  symbol: string;
  orderId: number;
  /** -1 unless the order is a leg of an OCO list. */
  orderListId: number;
  clientOrderId: string;
  side: Side;
  type: OrderType;
  timeInForce: string;
  origQty: number;
  /** The limit price; 0 for market and stop-market orders. */
  price: number;
  /** 0 unless a stop or take-profit. */
  stopPrice: number;
  status: OrderStatus;
  executedQty: number;
  cummulativeQuoteQty: number;
  time: number;
  updateTime: number;
  /** When the order began working: its placement, or for a stop the moment it triggered; -1 before. */
  workingTime: number;
  lock: Lock | null;
}

export interface OrderList {
  apiKey: string;
  symbol: string;
  orderListId: number;
  listClientOrderId: string;
  orderIds: number[];
  status: "EXECUTING" | "ALL_DONE";
  transactionTime: number;
  lock: Lock | null;
}

export interface Fill {
  apiKey: string;
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface Ledger {
  accounts: Record<string, Account>;
  orders: SimOrder[];
  lists: OrderList[];
  fills: Fill[];
  nextOrderId: number;
  nextListId: number;
  nextTradeId: number;
  /** Simulated time up to which resting orders were checked against the price path. */
  checkedUntil: number;
}

export const emptyLedger = (): Ledger => ({
  accounts: {},
  orders: [],
  lists: [],
  fills: [],
  nextOrderId: 1,
  nextListId: 1,
  nextTradeId: 1,
  checkedUntil: 0,
});

export const isOpen = (order: SimOrder) => order.status === "NEW";

export function balanceOf(account: Account, asset: string): Balance {
  return (account.balances[asset] ??= { free: 0, locked: 0 });
}
