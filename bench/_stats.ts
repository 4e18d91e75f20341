// What every bench reports: percentiles, each figure beside a floor measured in the same run, and the final JSON line.
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export const round = (v: number, digits = 2) => Number(v.toFixed(digits));

/** A figure and its floor, measured in the same run so the ratio stays comparable across machines and days. */
export interface AgainstFloor {
  figure: number;
  floor: number;
  /** Always "times the floor's cost": above 1 is slower than the floor. */
  ratio: number;
}

interface FloorOptions {
  unit: string;
  /** What the floor is, printed beside it. */
  floorIs: string;
  /** A rate (requests/s, candles/s): the ratio is floor ÷ figure, so it still reads as cost. */
  rate?: boolean;
}

const shown = (v: number) =>
  Math.abs(v) >= 100 ? round(v, 0) : Math.abs(v) >= 1 ? round(v, 2) : round(v, 3);

/** Prints `label: figure; floor (what) value; ratio r` and returns the three numbers. */
export function againstFloor(label: string, figure: number, floor: number, opts: FloorOptions): AgainstFloor {
  const ratio = opts.rate ? floor / figure : figure / floor;
  console.log(
    `${label}: ${shown(figure)} ${opts.unit}; floor (${opts.floorIs}) ${shown(floor)} ${opts.unit}; ratio ${round(ratio, 2)}`,
  );
  return { figure, floor, ratio };
}

/**
 * Prints the machine-readable summary, the last line of every bench: `bench`, its figures, and the headline
 * figure's `floor` and `ratio`. A floor or ratio that is not a positive number means the run measured nothing.
 */
export function printResult(bench: string, headline: AgainstFloor, figures: Record<string, unknown>): void {
  for (const [name, v] of [
    ["floor", headline.floor],
    ["ratio", headline.ratio],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0)
      throw new Error(`bench ${bench}: ${name} is ${v}, not a positive number`);
  }
  console.log(
    JSON.stringify({ bench, ...figures, floor: shown(headline.floor), ratio: round(headline.ratio, 2) }),
  );
}
