// A pg-boss on the test Postgres in a schema of its own, for tests that queue jobs the web app sends.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createQueue, type Queue } from "../../worker/queue";
import { POSTGRES_URL } from "./worker/processes";

export interface PostgresQueue {
  queue: Queue;
  /** Stops pg-boss and drops its schema. */
  close(): Promise<void>;
}

export async function createPostgresQueue(name: string): Promise<PostgresQueue> {
  const schema = `cc_${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const queue = await createQueue({
    postgresUrl: POSTGRES_URL,
    schema,
    dataDir: mkdtempSync(join(tmpdir(), `candlecast-${name}-`)),
    supervise: false,
    bossOptions: { schedule: false },
  });
  return {
    queue,
    async close() {
      await queue.boss.getDb().executeSql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, []);
      await queue.close();
    },
  };
}
