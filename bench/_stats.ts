// Small statistics helpers shared by the bench scripts.
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export const round = (v: number, digits = 2) => Number(v.toFixed(digits));

/** Prints the machine-readable summary: the last line of every bench. */
export function printResult(result: Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}
