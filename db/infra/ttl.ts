// Validates the numbers given to locks and cache entries (Redis PX and INCRBY need integers).

export function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive integer number of milliseconds, got ${ttlMs}`);
  }
}

export function assertIncrement(by: number): void {
  if (!Number.isInteger(by) || by <= 0) throw new RangeError(`by must be a positive integer, got ${by}`);
}
