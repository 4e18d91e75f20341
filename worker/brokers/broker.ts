// What every broker (paper or exchange) offers the coordinator: one market order, answered as a value.
import type { OrderResult } from "../../db/contracts/order-results";

export type { ExchangeFill, OrderResult } from "../../db/contracts/order-results";

export type OrderSide = "buy" | "sell";

export interface MarketOrder {
  /** Derived from (subscription, execution): see client-order-id.ts. */
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  quantity: number;
  /** Close of the signal candle; the paper broker fills from it, exchanges ignore it. */
  referencePrice: number;
}

export interface Broker {
  placeMarketOrder(order: MarketOrder): Promise<OrderResult>;
}
