// The candle queue's job: its payload schema, its deterministic id, and the batched insert (queue policy: db/contracts/queues-and-channels.ts).
import { createHash } from "node:crypto";
import type PgBoss from "pg-boss";
import { z } from "zod";
import { RESOLUTION_MS, resolutionSchema } from "../db/contracts/domain";
import { QUEUES } from "../db/contracts/queues-and-channels";

export const candleJobSchema = z
  .object({
    strategyId: z.string().min(1),
    symbol: z.string().min(1),
    resolution: resolutionSchema,
    closeTime: z.number().int().nonnegative(),
  })
  .refine((j) => j.closeTime % RESOLUTION_MS[j.resolution] === 0, {
    message: "closeTime must sit on a boundary of the resolution",
    path: ["closeTime"],
  });
export type CandleJob = z.infer<typeof candleJobSchema>;

/**
 * The job id of a candle: a UUID (pg-boss ids must be) made of SHA-256 over the key, with the
 * version nibble set to 8 ("custom", RFC 9562). Every worker derives the same id, and the job
 * table's primary key refuses the second insert, whatever the number of schedulers racing.
 */
export function candleJobId(job: CandleJob): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(["candle", job.strategyId, job.symbol, job.resolution, job.closeTime]))
    .digest();
  digest[6] = (digest[6] & 0x0f) | 0x80;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const h = digest.subarray(0, 16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Offers candle jobs to the queue: one INSERT ... ON CONFLICT DO NOTHING per 500, so a candle whose
 * id is already there (another scheduler got it first, or an earlier pass) is not queued twice.
 */
export async function insertCandleJobs(boss: PgBoss, jobs: CandleJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 500) {
    await boss.insert(
      jobs.slice(i, i + 500).map((data) => ({ id: candleJobId(data), name: QUEUES.candle, data })),
    );
  }
}
