// The exchange client order id of a (subscription, execution) order: deterministic, short, exchange-safe.
import { createHash } from "node:crypto";
import type { OrderLeg } from "../../db/contracts/order-states";

const PREFIX = "cc";
const HEX_DIGITS = 30;

/**
 * `cc` + the first 30 hex digits (120 bits) of SHA-256 over the pair: 32 characters, lowercase
 * alphanumerics only, so it fits Binance (<= 36, [.A-Z:/a-z0-9_-]) and stricter venues (OKX: <= 32
 * alphanumerics) alike. Birthday odds of any collision among n ids ≈ n² / 2^121: for a billion
 * orders about 4e-19 (ADR 035). A retry of the same order derives the same id, so an exchange that
 * remembers it refuses a duplicate and we can look the order up by it.
 */
export function clientOrderId(subscriptionId: string, executionId: string, leg?: OrderLeg): string {
  // JSON encoding keeps ("a:b","c") and ("a","b:c") apart. `leg` tells apart the two orders of a
  // reversal (close, then open) in one execution, and a trade's protective pair (stop, take_profit,
  // derived from the trade and its entry's execution); without it the id is that of the single order.
  const parts = leg === undefined ? [subscriptionId, executionId] : [subscriptionId, executionId, leg];
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  return PREFIX + digest.slice(0, HEX_DIGITS);
}
