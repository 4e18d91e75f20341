// The benches' command-line flags, and the quick size (BENCH_QUICK=1) that proves a bench runs without measuring much.
export const QUICK = process.env.BENCH_QUICK === "1";

/** A flag with a bad value: bench/run.ts prints its message alone and exits 1. */
export class FlagError extends Error {}

/** `--name N`; without the flag, the normal size, or the quick one under BENCH_QUICK=1. */
export function numberFlag(args: string[], name: string, normal: number, quick = normal): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return QUICK ? quick : normal;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0)
    throw new FlagError(`--${name} must be a positive number, got ${JSON.stringify(args[i + 1] ?? "")}`);
  return value;
}

/** `--name 1000,10000`: a comma-separated list of positive numbers. */
export function listFlag(args: string[], name: string, normal: number[], quick = normal): number[] {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return QUICK ? quick : normal;
  const values = String(args[i + 1] ?? "")
    .split(",")
    .map(Number);
  if (values.some((v) => !Number.isFinite(v) || v <= 0))
    throw new FlagError(
      `--${name} must be comma-separated positive numbers, got ${JSON.stringify(args[i + 1] ?? "")}`,
    );
  return values;
}
