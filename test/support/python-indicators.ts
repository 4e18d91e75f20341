// Runs candlecast.indicators functions in /usr/bin/python3 (python/tests/indicator_requests.py): one process per batch.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../python/tests/indicator_requests.py", import.meta.url));

export type IndicatorCall = { fn: string; args: unknown[] };
/** One call's answer: a list, or a list of lists for indicators that return several; null where Python says None. */
export type IndicatorResult = (number | null)[] | (number | null)[][];

export function runIndicators(calls: IndicatorCall[]): IndicatorResult[] {
  const stdout = execFileSync("/usr/bin/python3", ["-I", SCRIPT], {
    input: JSON.stringify({ calls }),
    maxBuffer: 64 << 20,
  });
  return (JSON.parse(stdout.toString()) as { results: IndicatorResult[] }).results;
}
