// A Config for tests (worker and web app): parsed from an environment like any process's, the real
// interpreter in bubblewrap, quiet logs, secrets given (nothing read from or written to disk).
import { loadConfig, type Config } from "../../../db/platform/config.server";

export function testWorkerConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  const parsed = loadConfig({
    DATA_DIR: "/tmp/candlecast-worker-test",
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: "candlecast-test:",
    HOST: "127.0.0.1",
    PYTHON: "/usr/bin/python3",
    MARKET_DATA_WAIT_MS: "2000",
    WORKER_CONCURRENCY: "2",
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
  });
  return {
    ...parsed,
    port: 0,
    sessionSecret: "test-session-secret-at-least-32-characters-long",
    encryptionKey: Buffer.alloc(32, 7).toString("base64"),
    ...overrides,
  };
}
