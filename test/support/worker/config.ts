// A Config for tests (worker and web app): the real interpreter in bubblewrap, quiet logs, no secrets from disk.
import { DEFAULT_STORE_TIMEOUT_MS, type Config } from "../../../db/platform/config.server";

export function testWorkerConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    dataDir: "/tmp/candlecast-worker-test",
    databaseUrl,
    storeTimeoutMs: DEFAULT_STORE_TIMEOUT_MS,
    redisKeyPrefix: "candlecast-test:",
    port: 0,
    host: "127.0.0.1",
    python: "/usr/bin/python3",
    sandbox: "bwrap",
    sessionSecret: "test-session-secret-at-least-32-characters-long",
    encryptionKey: Buffer.alloc(32, 7).toString("base64"),
    timeScale: 1,
    marketData: { source: "simulated", waitBudgetMs: 2_000 },
    workerConcurrency: 2,
    logLevel: "silent",
    nodeEnv: "test",
    ...overrides,
  };
}
