// Bench: recordExecution (1 execution + N trades + N metric updates + N events) vs the raw prepared-statement floor.
// The floor is the right one because it is the same rows in the same file through the bare driver: what any
// implementation of the one transaction must at least pay, so the ratio is what recordExecution adds to it.
// Flags: --n 1000,10000 --runs 7
import { recordExecution } from "../db/store/queries/executions";
import { listFlag, numberFlag } from "./_args";
import type { Need } from "./_needs";
import { createRawWriteStore } from "./_raw-write";
import { againstFloor, percentile, printResult, round, type AgainstFloor } from "./_stats";

export const needs: Need[] = [];

export default async function fanoutWrite(args: string[]) {
  const sizes = listFlag(args, "n", [1000, 10_000], [200]);
  const runs = numberFlag(args, "runs", 7, 3);
  let last: { n: number; write: AgainstFloor } | undefined;
  for (const n of sizes) {
    const target = await createRawWriteStore(n);
    try {
      const ours: number[] = [];
      const floor: number[] = [];
      // Interleave the two paths so both see the same file size and machine load.
      for (let run = 0; run < runs + 1; run++) {
        const t0 = performance.now();
        const result = await recordExecution(target.store.db, target.nextInput());
        const ms = performance.now() - t0;
        if (result.status !== "recorded") throw new Error("bench input was not recorded");
        const rawMs = target.sample();
        if (run > 0) {
          ours.push(ms);
          floor.push(rawMs);
        }
      }
      const write = againstFloor(`N=${n}: recordExecution p50`, percentile(ours, 50), percentile(floor, 50), {
        unit: "ms",
        floorIs: "raw prepared statements, p50",
      });
      console.log(
        `  (min ${round(Math.min(...ours))} ms, max ${round(Math.max(...ours))} ms over ${runs} runs)`,
      );
      last = { n, write };
    } finally {
      target.store.cleanup();
    }
  }
  printResult("fanout-write", last!.write, { n: last!.n, p50_ms: round(last!.write.figure) });
}
