// A clock that runs TIME_SCALE times faster than the real one, so demos and tests see candles close fast.

export interface ScaledClock {
  readonly scale: number;
  /** Simulated epoch ms. */
  now(): number;
  /** Real milliseconds until `simulatedMs` of simulated time will have passed. */
  toRealMs(simulatedMs: number): number;
}

export function createScaledClock(options: {
  scale: number;
  /** Where simulated and real time coincide; defaults to the real time at creation. */
  startedAt?: number;
  realNow?: () => number;
}): ScaledClock {
  const { scale } = options;
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`TIME_SCALE must be a positive number, got ${scale}`);
  const realNow = options.realNow ?? Date.now;
  const startedAt = options.startedAt ?? realNow();
  return {
    scale,
    now: () => startedAt + (realNow() - startedAt) * scale,
    toRealMs: (simulatedMs) => simulatedMs / scale,
  };
}
