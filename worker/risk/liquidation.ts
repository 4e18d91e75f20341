// Isolated-margin liquidation: where a leveraged position is closed by the exchange, and at what price it is booked.
import type { PositionSide } from "./size-position";

/**
 * Maintenance margin as a fraction of notional (ADR 125): Binance's and Bybit's lowest tier for the
 * majors (0.4-0.5 %), rounded to the conservative end.
 */
export const MAINTENANCE_MARGIN_RATE = 0.005;

const validInputs = (entryPrice: number, leverage: number) =>
  entryPrice > 0 && Number.isFinite(entryPrice) && leverage > 0 && Number.isFinite(leverage);

/**
 * The price at which the exchange liquidates a position opened at `entryPrice` with margin =
 * notional / leverage: where the margin left equals the maintenance margin. Long: entry × (1 − 1/L + m),
 * short: entry × (1 + 1/L − m). Null when the inputs are not positive finite numbers or a long's
 * level is not a positive price (it can never be reached).
 */
export function liquidationPrice(
  side: PositionSide,
  entryPrice: number,
  leverage: number,
  maintenanceMarginRate = MAINTENANCE_MARGIN_RATE,
): number | null {
  if (!validInputs(entryPrice, leverage) || !(maintenanceMarginRate >= 0)) return null;
  const distance = 1 / leverage - maintenanceMarginRate;
  const price = side === "LONG" ? entryPrice * (1 - distance) : entryPrice * (1 + distance);
  return price > 0 && Number.isFinite(price) ? price : null;
}

/**
 * Where a liquidated position is booked: the price at which its whole margin is gone (long:
 * entry × (1 − 1/L), short: entry × (1 + 1/L)). The maintenance margin left at liquidation is the
 * exchange's fee, and a gap beyond it is the exchange's insurance fund's loss, not the trader's:
 * isolated margin never loses more than the margin. Null on inputs that are not positive finite.
 */
export function bankruptcyPrice(side: PositionSide, entryPrice: number, leverage: number): number | null {
  if (!validInputs(entryPrice, leverage)) return null;
  const price = side === "LONG" ? entryPrice * (1 - 1 / leverage) : entryPrice * (1 + 1 / leverage);
  return Math.max(price, 0);
}
