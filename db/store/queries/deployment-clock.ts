// The deployment's one simulated clock at TIME_SCALE > 1 (ADR 151): anchored once in the store, read by every process.
import { sql } from "drizzle-orm";
import type { Db } from "../client";

export interface DeploymentClock {
  scale: number;
  realAnchor: number;
  simulatedAnchor: number;
  simulatedStart: number;
}

const read = async (db: Db): Promise<DeploymentClock | undefined> => {
  const rows = await db.all<{
    scale: number;
    real_anchor: number;
    simulated_anchor: number;
    simulated_start: number;
  }>(sql`SELECT scale, real_anchor, simulated_anchor, simulated_start FROM deployment_clock WHERE id = 1`);
  const r = rows[0];
  return r
    ? {
        scale: Number(r.scale),
        realAnchor: Number(r.real_anchor),
        simulatedAnchor: Number(r.simulated_anchor),
        simulatedStart: Number(r.simulated_start),
      }
    : undefined;
};

/**
 * The deployment's clock for `scale`. The first process anchors it: simulated time starts at the real
 * time, or after the newest close already executed (a store carried over from an earlier run). Every
 * later process reads the same anchor, whenever it starts. A different scale re-anchors the clock where
 * the old one stands now, so simulated time never runs backwards.
 */
export async function anchorDeploymentClock(
  db: Db,
  scale: number,
  realNow: number,
): Promise<DeploymentClock> {
  for (;;) {
    const current = await read(db);
    if (current?.scale === scale) return current;
    let start: number;
    if (current) {
      start = Math.floor(current.simulatedAnchor + (realNow - current.realAnchor) * current.scale);
    } else {
      const [newest] = await db.all<{ t: number | null }>(sql`SELECT max(close_time) AS t FROM executions`);
      start = Math.max(realNow, Number(newest?.t ?? 0));
    }
    // Conditional on what we read, so two processes anchoring at once agree on one row.
    await db.run(sql`
      INSERT INTO deployment_clock (id, scale, real_anchor, simulated_anchor, simulated_start)
      VALUES (1, ${scale}, ${realNow}, ${start}, ${start})
      ON CONFLICT (id) DO UPDATE SET scale = excluded.scale, real_anchor = excluded.real_anchor,
        simulated_anchor = excluded.simulated_anchor, simulated_start = excluded.simulated_start
      WHERE deployment_clock.scale = ${current?.scale ?? null} AND deployment_clock.real_anchor = ${current?.realAnchor ?? null}`);
  }
}
