// pg-boss on Postgres (POSTGRES_URL) or on embedded PGlite in the data directory when none is set.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import PgBoss from "pg-boss";
import { QUEUE_POLICIES, type QueueName, type QueuePolicy } from "../db/contracts/queues-and-channels";

export interface Queue {
  boss: PgBoss;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

export interface QueueOptions {
  postgresUrl?: string;
  dataDir: string;
  /** Postgres schema for pg-boss's tables (tests use their own). */
  schema?: string;
  /** Run pg-boss's maintenance and monitoring (off for short-lived processes such as the web app). */
  supervise?: boolean;
  onError?: (error: Error) => void;
  /** pg-boss tuning (tests shorten maintenance so expired jobs come back within seconds). */
  bossOptions?: Pick<
    PgBoss.ConstructorOptions,
    "maintenanceIntervalSeconds" | "monitorStateIntervalSeconds" | "schedule"
  >;
}

async function openPglite(dir: string) {
  const { PGlite } = await import("@electric-sql/pglite");
  mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir);
  const executeSql = async (text: string, values?: unknown[]) =>
    values && values.length > 0 ? pg.query(text, values) : ((await pg.exec(text)).at(-1) ?? { rows: [] });
  return { pg, db: { executeSql } };
}

export async function createQueue(opts: QueueOptions): Promise<Queue> {
  const schema = opts.schema ?? "pgboss";
  const common = { ...opts.bossOptions, schema, supervise: opts.supervise ?? true, migrate: true } as const;
  let boss: PgBoss;
  let closeExtra = async () => {};
  let kind: Queue["kind"];
  if (opts.postgresUrl) {
    boss = new PgBoss({ ...common, connectionString: opts.postgresUrl, max: 6 });
    kind = "postgres";
  } else {
    const { pg, db } = await openPglite(join(opts.dataDir, "pglite"));
    boss = new PgBoss({ ...common, db } as PgBoss.ConstructorOptions);
    closeExtra = () => pg.close();
    kind = "pglite";
  }
  boss.on("error", (error) => opts.onError?.(error));
  await boss.start();
  return {
    boss,
    kind,
    async close() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await closeExtra();
    },
  };
}

/**
 * Creates the queues that do not exist yet, with their policy from the registry (a worker's options
 * may override one). Workers starting together race on pg-boss's create_queue (it creates a
 * partition), which Postgres may answer with a deadlock or a duplicate: the loser waits a moment and
 * finds the queue there.
 */
export async function ensureQueues(
  boss: PgBoss,
  names: readonly QueueName[],
  overrides: Partial<Record<QueueName, Partial<QueuePolicy>>> = {},
  attempts = 8,
): Promise<void> {
  for (const name of names) {
    const queue: PgBoss.Queue = { name, policy: "standard", ...QUEUE_POLICIES[name], ...overrides[name] };
    for (let attempt = 1; ; attempt++) {
      if (await boss.getQueue(name)) break;
      try {
        await boss.createQueue(name, queue);
        break;
      } catch (error) {
        const code = (error as { code?: string }).code;
        const retriable = code === "40P01" || code === "23505" || code === "42P07";
        if (!retriable || attempt >= attempts) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
      }
    }
  }
}
