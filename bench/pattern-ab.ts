// Bench: Pattern A (one execution fanned out to every subscriber) against Pattern B (one execution per subscriber,
// as a per-user bot would run) at 1,000 subscribers, same process, same code path, CPU and wall time.
// Pattern B is measured on a sample of bots and extrapolated linearly (each bot is independent work).
// The floor is Pattern A's CPU per candle and the figure is Pattern B's: A does the work every subscriber's signal
// needs once (one sandboxed run, one write of all the rows) and B does the same work per subscriber, both measured in
// this process on the same candles, so the ratio is how many times per-user bots cost that. Higher is better here.
// Flags: --subscribers 1000 --sample 50 --repeat 10 (CPU ticks are 10 ms: more candles, steadier averages)
import { createInfra } from "../db/infra/index.server";
import { createTestStore, insertStrategy, insertSubscriptions, insertUser } from "../test/support/store";
import { latestClose } from "../worker/boundaries";
import { ENTER_EXIT_CODE } from "../test/support/worker/strategies";
import { createBenchCoordinator, sandboxCpuMs } from "./_coordinator";
import { numberFlag } from "./_args";
import type { Need } from "./_needs";
import { againstFloor, printResult, round } from "./_stats";

export const needs: Need[] = ["sandbox"];

/** This process's CPU plus that of the sandboxes (the strategy runs), in ms. */
function cpuMs(processTag: string): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + sandboxCpuMs(processTag);
}

export default async function patternAb(args: string[]) {
  const subscribers = numberFlag(args, "subscribers", 1000, 100);
  const sample = numberFlag(args, "sample", 50, 4);
  const repeat = numberFlag(args, "repeat", 10, 2);
  const store = await createTestStore();
  const infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  const coordinator = createBenchCoordinator(store, infra);
  try {
    const author = await insertUser(store, "author");
    const shared = await insertStrategy(store, author.id, {
      code: ENTER_EXIT_CODE,
      slug: `ab-a-${process.pid}`,
    });
    await insertSubscriptions(store, shared.id, subscribers);
    // Pattern B: every subscriber runs their own copy of the strategy (a bot per user).
    const bots: { id: string }[] = [];
    for (let i = 0; i < sample; i++) {
      const bot = await insertStrategy(store, author.id, {
        code: ENTER_EXIT_CODE,
        slug: `ab-b-${process.pid}-${i}`,
      });
      await insertSubscriptions(store, bot.id, 1);
      bots.push(bot);
    }

    const measure = async (work: () => Promise<void>) => {
      const cpu0 = cpuMs(coordinator.runner.processTag);
      const t0 = performance.now();
      await work();
      return { cpu: cpuMs(coordinator.runner.processTag) - cpu0, wall: performance.now() - t0 };
    };
    const first = latestClose(Date.now(), "1m") - (repeat + 2) * 60_000;
    const job = (strategyId: string, k: number) => ({
      strategyId,
      symbol: "BTC/USDT",
      resolution: "1m" as const,
      closeTime: first + k * 60_000,
    });
    const expectExecuted = (o: { status: string }) => {
      if (o.status !== "executed") throw new Error(`unexpected outcome ${JSON.stringify(o)}`);
    };
    // Warm-up: caches, the interpreter's files in the page cache.
    expectExecuted(await coordinator.executeCandle(job(shared.id, 0)));
    for (const bot of bots) expectExecuted(await coordinator.executeCandle(job(bot.id, 0)));

    const a = { cpu: 0, wall: 0 };
    const b = { cpu: 0, wall: 0 };
    for (let k = 1; k <= repeat; k++) {
      const ra = await measure(async () =>
        expectExecuted(await coordinator.executeCandle(job(shared.id, k))),
      );
      // Two bots at a time, as many as the sandbox slots: the same parallelism a worker gives Pattern A's run.
      const rb = await measure(async () => {
        const queue = [...bots];
        await Promise.all(
          [0, 1].map(async () => {
            for (let bot = queue.shift(); bot; bot = queue.shift())
              expectExecuted(await coordinator.executeCandle(job(bot.id, k)));
          }),
        );
      });
      a.cpu += ra.cpu / repeat;
      a.wall += ra.wall / repeat;
      b.cpu += ((rb.cpu / sample) * subscribers) / repeat;
      b.wall += ((rb.wall / sample) * subscribers) / repeat;
      console.log(
        `candle ${k}: A ${round(ra.cpu, 1)} ms CPU / ${round(ra.wall, 1)} ms wall for ${subscribers}; ` +
          `B ${round(rb.cpu, 1)} ms CPU / ${round(rb.wall, 1)} ms wall for ${sample} bots`,
      );
    }
    console.log(
      `Pattern A: ${round(a.cpu, 1)} ms CPU, ${round(a.wall, 1)} ms wall per candle for ${subscribers} subscribers`,
    );
    console.log(
      `Pattern B: ${round(b.cpu, 1)} ms CPU, ${round(b.wall, 1)} ms wall per candle (${sample} bots measured, x${subscribers / sample})`,
    );
    const cpu = againstFloor(`Pattern B CPU per candle`, b.cpu, a.cpu, {
      unit: "ms",
      floorIs: "Pattern A, one execution fanned out",
    });
    printResult("pattern-ab", cpu, {
      subscribers,
      cpu_ratio: round(cpu.ratio, 1),
      wall_ratio: round(b.wall / a.wall, 1),
      a_cpu_ms: round(a.cpu, 1),
      b_cpu_ms: round(b.cpu, 1),
      b_sampled: sample,
    });
  } finally {
    await coordinator.runner.close();
    await infra.close();
    store.cleanup();
  }
}
