// pg-boss work loops of this process, and the bus as their doorbell: whoever queues jobs rings, every process wakes its loops.
import type PgBoss from "pg-boss";
import { CHANNELS, type QueueName } from "../db/contracts/queues-and-channels";
import type { Bus, Unsubscribe } from "../db/infra/bus";

export interface WorkLoops {
  /**
   * Starts `count` loops taking one job at a time. A loop that just had work fetches again at once
   * instead of sleeping a poll interval.
   */
  start<T>(
    queue: QueueName,
    count: number,
    pollingIntervalSeconds: number,
    handler: (job: PgBoss.Job<T>) => Promise<void>,
  ): Promise<void>;
  /** Wakes this process's loops of the queue. */
  wake(queue: QueueName): void;
  /** Stops listening and stops every loop (a job already running finishes in its handler). */
  stop(): Promise<void>;
}

type Warn = { warn(obj: object, msg: string): void };

/** Rings every process's loops of the queue. Only a wake-up: their polls find the jobs anyway. */
export async function announceJobs(bus: Bus, queue: QueueName, logger: Warn): Promise<void> {
  await bus
    .publish(CHANNELS.jobsQueued, { queue })
    .catch((error: unknown) =>
      logger.warn(
        { err: error, queue },
        "could not ring the work loops; they find the jobs at their next poll",
      ),
    );
}

export async function createWorkLoops(boss: PgBoss, bus: Bus, logger: Warn): Promise<WorkLoops> {
  const loops = new Map<QueueName, string[]>();
  const wake = (queue: QueueName) => {
    for (const id of loops.get(queue) ?? []) boss.notifyWorker(id);
  };
  const unsubscribe: Unsubscribe = await bus.subscribe(CHANNELS.jobsQueued, (message) => {
    const queue = (message as { queue?: unknown } | null)?.queue;
    if (typeof queue === "string" && loops.has(queue as QueueName)) wake(queue as QueueName);
  });
  return {
    async start<T>(
      queue: QueueName,
      count: number,
      pollingIntervalSeconds: number,
      handler: (job: PgBoss.Job<T>) => Promise<void>,
    ) {
      const ids = loops.get(queue) ?? [];
      loops.set(queue, ids);
      for (let i = 0; i < count; i++) {
        // Filled once work() answers; the handler can only run after the first fetch, later still.
        const loop = { id: "" };
        loop.id = await boss.work(queue, { batchSize: 1, pollingIntervalSeconds }, async (jobs) => {
          for (const job of jobs) await handler(job as PgBoss.Job<T>);
          if (jobs.length > 0 && loop.id) boss.notifyWorker(loop.id);
        });
        ids.push(loop.id);
      }
    },
    wake,
    async stop() {
      await unsubscribe().catch((error: unknown) =>
        logger.warn({ err: error }, "could not unsubscribe from the jobs-queued channel"),
      );
      for (const ids of loops.values()) for (const id of ids) await boss.offWork({ id });
      loops.clear();
    },
  };
}
