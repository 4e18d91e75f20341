// A clock that runs TIME_SCALE times faster than the real one, so demos and tests see candles close fast.

export interface ScaledClock {
  readonly scale: number;
  /** Simulated epoch ms. */
  now(): number;
  /** Real milliseconds until `simulatedMs` of simulated time will have passed. */
  toRealMs(simulatedMs: number): number;
  /** Simulated time at which this clock began: no close before it was ever owed (ADR 041). */
  readonly since: number;
}

/** A moment read on both clocks: simulated = anchor.simulated + (real - anchor.real) × scale. */
export interface ClockAnchor {
  real: number;
  simulated: number;
}

export function createScaledClock(options: {
  scale: number;
  /** Defaults to the real time at creation on both clocks. */
  anchor?: ClockAnchor;
  /** Defaults to the anchor's simulated time. */
  since?: number;
  realNow?: () => number;
}): ScaledClock {
  const { scale } = options;
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`TIME_SCALE must be a positive number, got ${scale}`);
  const realNow = options.realNow ?? Date.now;
  const start = realNow();
  const anchor = options.anchor ?? { real: start, simulated: start };
  return {
    scale,
    since: options.since ?? anchor.simulated,
    now: () => anchor.simulated + (realNow() - anchor.real) * scale,
    toRealMs: (simulatedMs) => simulatedMs / scale,
  };
}
