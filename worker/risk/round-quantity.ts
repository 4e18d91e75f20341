// Rounds an order quantity down to an exchange's quantity step without leaking float noise.

/** Slack for quotients like 0.3 / 0.1 = 2.9999999999999996 that are meant to be whole steps. */
const STEP_EPSILON = 1e-9;

/**
 * `quantity` rounded DOWN to a multiple of `step` (a step of 0 means any quantity is allowed); 0 for a
 * quantity that is not a positive finite number, so no order is sized from it.
 */
export function roundDownToStep(quantity: number, step: number): number {
  if (!(quantity > 0) || !Number.isFinite(quantity)) return 0;
  if (!(step > 0)) return quantity;
  const steps = Math.floor(quantity / step + STEP_EPSILON);
  // toPrecision(12) strips products like 3 × 0.1 = 0.30000000000000004 back to the decimal the step implies.
  return Number((steps * step).toPrecision(12));
}
