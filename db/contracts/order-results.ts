// What an exchange answers about one order: shared by the brokers (worker) and the store, which records it.

/** One fill as the exchange reports it, under the exchange's own trade id (the fee in the quote currency). */
export interface ExchangeFill {
  tradeId: string;
  price: number;
  quantity: number;
  fee: number;
  time?: number;
}

/**
 * Expected failures (insufficient balance, bad quantity…) are `rejected` values, never throws.
 * `unknown` means the exchange could not tell us whether the order exists (network down during the
 * request and the look-up): the caller must reconcile later, never re-send blindly.
 */
export type OrderResult =
  | {
      /** partially_filled: the order still works on the exchange (a resting order), with these fills so far. */
      status: "filled" | "partially_filled";
      /** The fills' average price, total quantity and fee. */
      fillPrice: number;
      filledQuantity: number;
      fee: number;
      exchangeOrderId?: string;
      /** An exchange's fills (a paper fill has none). */
      fills?: ExchangeFill[];
      /** When the exchange filled it (its last fill), where it says. */
      filledAt?: number;
    }
  | { status: "rejected"; reason: string; exchangeOrderId?: string }
  /** A resting order (a protective leg) the exchange holds with nothing filled yet. */
  | { status: "open"; exchangeOrderId: string }
  /** A resting order that ended with nothing filled: cancelled, or expired because its OCO sibling filled. */
  | { status: "cancelled"; reason: string; exchangeOrderId?: string }
  | { status: "unknown"; reason: string };
