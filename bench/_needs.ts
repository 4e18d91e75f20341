// What a bench needs beyond `npm ci` (the sandbox, Redis, Postgres), checked before it starts, with what to install.
import { Redis } from "ioredis";
import pg from "pg";
import { createStrategyRunner, SANDBOX_INSTALL_LINE } from "../worker/runtime";
import { POSTGRES_URL, REDIS_URL } from "../test/support/worker/processes";

export type Need = "sandbox" | "redis" | "postgres";

/** The interpreter every bench's sandbox runs (the worker's `PYTHON`). */
export const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";

const CHECKS: Record<Need, { check: () => Promise<void>; install: string }> = {
  sandbox: {
    async check() {
      const runner = createStrategyRunner({ python: PYTHON, maxConcurrent: 1 });
      try {
        await runner.selfCheck();
      } finally {
        await runner.close();
      }
    },
    install: SANDBOX_INSTALL_LINE,
  },
  redis: {
    async check() {
      const redis = new Redis(REDIS_URL, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      // ioredis rejects with "Connection is closed"; the socket's own error says why.
      let cause: Error | undefined;
      redis.on("error", (error: Error) => (cause = error));
      try {
        await redis.connect();
        await redis.ping();
      } catch (error) {
        throw cause ?? error;
      } finally {
        redis.disconnect();
      }
    },
    install: `sudo apt-get install redis-server (or set REDIS_URL; tried ${REDIS_URL})`,
  },
  postgres: {
    async check() {
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    },
    install: `sudo apt-get install postgresql, with trust for user postgres on 127.0.0.1 (or set POSTGRES_URL; tried ${POSTGRES_URL})`,
  },
};

/** One line per missing part: what failed and exactly what to install. Empty when everything is there. */
export async function missingNeeds(needs: readonly Need[]): Promise<string[]> {
  const missing: string[] = [];
  for (const need of needs) {
    const { check, install } = CHECKS[need];
    try {
      await check();
    } catch (error) {
      const reason = ((error as Error).message || String(error)).replace(/\.$/, "");
      missing.push(`${need}: ${reason}. Install: ${install}`);
    }
  }
  return missing;
}
