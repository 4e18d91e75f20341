// The parent side of the multi-process tests: spawns worker processes, talks JSON lines with them, and cleans up.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { deleteKeysByPrefix } from "../../../db/infra/index.server";
import { CHANNELS, QUEUES } from "../../../db/contracts/queues-and-channels";
import { insertCandleJobs, type CandleJob } from "../../../worker/candle-jobs";
import { createQueue, type Queue } from "../../../worker/queue";
import type { WorkerProcessSpec } from "./worker-process";

export const POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const ENTRY = fileURLToPath(new URL("./worker-process.ts", import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly messages: Record<string, unknown>[];
  readonly stderr: string[];
  send(command: object): void;
  /** Resolves with the first message (already received or future) that matches. */
  waitFor(
    match: (m: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
}

export function spawnWorker(spec: WorkerProcessSpec): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, JSON.stringify(spec)], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  const messages: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters: {
    match: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }[] = [];
  let buffer = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      messages.push(message);
      for (const w of [...waiters]) {
        if (w.match(message)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    messages,
    stderr,
    exited,
    send(command) {
      child.stdin!.write(`${JSON.stringify(command)}\n`);
    },
    waitFor(match, timeoutMs = 60_000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `worker ${spec.workerId}: no matching message in ${timeoutMs} ms\n${stderr.join("").slice(-3000)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new Error(
              `worker ${spec.workerId} exited (${code}) before the message\n${stderr.join("").slice(-3000)}`,
            ),
          );
        });
      });
    },
  };
}

export interface SharedServices {
  schema: string;
  keyPrefix: string;
  queue: Queue;
  redis: Redis;
  /** A worker process on these services and the store at `databaseUrl`. */
  spawn(
    databaseUrl: string,
    workerId: string,
    options?: WorkerProcessSpec["options"],
    extra?: Partial<WorkerProcessSpec>,
  ): WorkerProcess;
  /** Queues candle jobs as a scheduler would (fixed ids) and wakes every worker through the bus. */
  enqueue(jobs: CandleJob[]): Promise<void>;
  cleanup(): Promise<void>;
}

/** A pg-boss schema and a Redis key prefix of this test file's own, created before any worker starts. */
export async function createSharedServices(name: string): Promise<SharedServices> {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const schema = `cc_${name}_${suffix}`.toLowerCase();
  const keyPrefix = `cc-test:${name}:${suffix}:`;
  // Migrating once here: workers starting together would otherwise all try to create the schema.
  const queue = await createQueue({
    postgresUrl: POSTGRES_URL,
    schema,
    dataDir: "/tmp",
    supervise: false,
    bossOptions: { schedule: false },
  });
  const redis = new Redis(REDIS_URL);
  return {
    schema,
    keyPrefix,
    queue,
    redis,
    spawn(databaseUrl, workerId, options, extra) {
      return spawnWorker({
        workerId,
        databaseUrl,
        postgresUrl: POSTGRES_URL,
        schema,
        redisUrl: REDIS_URL,
        keyPrefix,
        options,
        ...extra,
      });
    },
    async enqueue(jobs) {
      await insertCandleJobs(queue.boss, jobs);
      await redis.publish(`${keyPrefix}${CHANNELS.jobsQueued}`, JSON.stringify({ queue: QUEUES.candle }));
    },
    async cleanup() {
      await queue.close();
      await deleteKeysByPrefix(redis, keyPrefix);
      redis.disconnect();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

export async function stopAll(workers: WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      w.child.kill("SIGCONT");
      w.child.kill("SIGTERM");
      const timer = setTimeout(() => w.child.kill("SIGKILL"), 15_000);
      await w.exited;
      clearTimeout(timer);
    }),
  );
}
