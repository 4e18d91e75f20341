// The positions check's rule (ADR 147), pure: what an exchange account should hold of each base asset.
import type { AccountBook, PositionCheckRow } from "../../db/store/queries/position-checks";

/** "BTC/USDT" -> "BTC": spot positions live in the base asset's balance. */
export const baseAsset = (symbol: string) => symbol.split("/")[0];

/**
 * What the open trades move each base asset by. On spot a LONG is a market buy of the base and a SHORT
 * a market sell of it (the exchange broker's rule, worker/fan-out.ts), so a short lowers the balance.
 */
export function netOpenQuantity(book: AccountBook, asset: string): number {
  return book.open
    .filter((t) => baseAsset(t.symbol) === asset)
    .reduce((sum, t) => sum + (t.side === "LONG" ? t.quantity : -t.quantity), 0);
}

/** Quantities within this of each other are equal (float sums of fills, the exchange's 8 decimals). */
const TOLERANCE = 1e-9;
export const sameQuantity = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(b));

/**
 * One asset's check. Its first check takes what the account holds beside the open trades as the
 * baseline (the user's own holdings); from then on the exchange must hold baseline + the open trades.
 */
export function checkAsset(input: {
  accountId: string;
  asset: string;
  book: AccountBook;
  found: number;
  previous: PositionCheckRow | undefined;
  now: number;
}): PositionCheckRow {
  const net = netOpenQuantity(input.book, input.asset);
  const baseline = input.previous?.baseline ?? input.found - net;
  const expected = baseline + net;
  return {
    brokerAccountId: input.accountId,
    asset: input.asset,
    baseline,
    expected,
    found: input.found,
    differs: !sameQuantity(input.found, expected),
    checkedAt: input.now,
  };
}
