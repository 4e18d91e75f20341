// The process configuration: one zod schema over the environment, with embedded defaults.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_USER_LIMITS } from "../contracts/user-limits";

const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}:`).join(", ")} (e.g. ${example})`,
    });

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** How long any store call may take before it fails with a StoreTimeoutError (ADR 156). */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

/** One parser per kind of number, so every variable of a kind says the same thing when it is wrong. */
const wholeNumber = (unit = "") =>
  z.coerce.number({ error: "must be a number" }).int(`must be a whole number${unit}`);

const count = (fallback: number, max: number) =>
  wholeNumber().min(1, "must be at least 1").max(max, `must be at most ${max}`).default(fallback);

const port = (fallback: number) =>
  wholeNumber()
    .min(1, "must be between 1 and 65535")
    .max(65535, "must be between 1 and 65535")
    .default(fallback);

const milliseconds = (fallback: number, min: { value: number; message: string }, max?: number) => {
  const bounded = wholeNumber(" of milliseconds").min(min.value, min.message);
  return (
    max === undefined ? bounded : bounded.max(max, `must be at most ${max} (${max / 60_000} minutes)`)
  ).default(fallback);
};

/** `log`, or an SMTP server's URL (smtp:// or smtps://, with user:password@ when it asks for them). */
const mailUrl = z
  .string()
  .trim()
  .default("log")
  .transform((v, ctx) => {
    if (v === "log") return { transport: "log" as const };
    let parsed: URL | undefined;
    try {
      parsed = new URL(v);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !["smtp:", "smtps:"].includes(parsed.protocol) || !parsed.hostname) {
      ctx.addIssue({
        code: "custom",
        message: "must be log or smtp://user:password@host:port (smtps:// for TLS from the start)",
      });
      return z.NEVER;
    }
    return { transport: "smtp" as const, url: v };
  });

/** A sender address, optionally with a display name: `Candlecast <no-reply@example.com>`. */
const mailFrom = z
  .string()
  .trim()
  .default("Candlecast <no-reply@candlecast.localhost>")
  .refine((v) => /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(v), {
    message: "must be an email address, optionally with a name: Candlecast <no-reply@example.com>",
  });

export const envSchema = z.object({
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: url(["file", "libsql", "http", "https", "ws", "wss"], "file:./data/candlecast.db").optional(),
  DATABASE_AUTH_TOKEN: optionalString,
  POSTGRES_URL: url(["postgres", "postgresql"], "postgres://user@host:5432/db").optional(),
  REDIS_URL: url(["redis", "rediss"], "redis://127.0.0.1:6379").optional(),
  PGBOSS_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a Postgres schema name: lowercase letters, digits, _")
    .default("pgboss"),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, "must be 1-64 characters of letters, digits, : _ -")
    .default("candlecast:"),
  PORT: port(3000),
  HOST: z.string().default("0.0.0.0"),
  PYTHON: z
    .string()
    .refine((p) => isAbsolute(p), "must be an absolute path to a Python interpreter (not a shim)")
    .optional(),
  SANDBOX: z.enum(["bwrap", "none"], { error: "must be bwrap or none" }).default("bwrap"),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/_-]{43}=?$/, "must be 32 bytes in base64 (openssl rand -base64 32)")
    .optional(),
  TIME_SCALE: z.coerce
    .number({ error: "must be a number" })
    .positive("must be positive")
    .max(3600)
    .default(1),
  MARKET_DATA: z
    .string()
    .trim()
    .regex(
      /^(simulated|exchange:[a-z][a-z0-9]*)$/,
      "must be simulated or exchange:<ccxt exchange id> (e.g. exchange:binance)",
    )
    .default("simulated"),
  MARKET_DATA_URL: url(["http", "https"], "http://127.0.0.1:8099").optional(),
  EXCHANGE_URL: url(["http", "https"], "http://127.0.0.1:8099").optional(),
  MARKET_DATA_WAIT_MS: milliseconds(15_000, { value: 0, message: "must be 0 or more" }, 300_000),
  STORE_TIMEOUT_MS: milliseconds(
    DEFAULT_STORE_TIMEOUT_MS,
    { value: 100, message: "must be at least 100" },
    300_000,
  ),
  WORKER_CONCURRENCY: count(4, 64),
  AUTHOR_TIME_PER_CLOSE_MS: milliseconds(10_000, { value: 0, message: "must be 0 (no limit) or more" }),
  WORKER_PORT: port(9464),
  MAX_SUBSCRIPTIONS_PER_USER: count(DEFAULT_USER_LIMITS.subscriptions, 100_000),
  MAX_EVENT_STREAMS_PER_USER: count(DEFAULT_USER_LIMITS.eventStreams, 1_000),
  API_RATE_LIMIT_PER_TOKEN: count(DEFAULT_USER_LIMITS.apiRequestsPerMinutePerToken, 1_000_000),
  API_RATE_LIMIT_PER_USER: count(DEFAULT_USER_LIMITS.apiRequestsPerMinutePerUser, 1_000_000),
  MAIL_URL: mailUrl,
  MAIL_FROM: mailFrom,
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
});

export type Env = z.infer<typeof envSchema>;

function defaultPython(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "/usr/local/bin/python3";
}

/** `{ key: value }`, or `{}` when the value is unset: the derived Config then has `key?`. */
const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** The environment as the process's configuration: validation across variables, then the shape every part reads. */
const configSchema = envSchema
  .refine((e) => !e.MARKET_DATA_URL || e.MARKET_DATA !== "simulated", {
    path: ["MARKET_DATA_URL"],
    message: "points an exchange's API elsewhere, so it needs MARKET_DATA=exchange:<id>",
  })
  .refine((e) => e.TIME_SCALE === 1 || e.MARKET_DATA === "simulated" || e.MARKET_DATA_URL, {
    path: ["TIME_SCALE"],
    message:
      "a real exchange's candles close in real time: above 1 it needs MARKET_DATA_URL pointing at the exchange simulator started with the same --time-scale",
  })
  .transform((e) => {
    const dataDir = resolve(e.DATA_DIR);
    return {
      dataDir,
      databaseUrl: e.DATABASE_URL ?? `file:${join(dataDir, "candlecast.db")}`,
      ...optional("databaseAuthToken", e.DATABASE_AUTH_TOKEN),
      /** Bound on every store call, ms (ADR 156). */
      storeTimeoutMs: e.STORE_TIMEOUT_MS,
      ...optional("postgresUrl", e.POSTGRES_URL),
      /** Postgres schema of pg-boss's tables (several deployments or tests can share one database). */
      pgbossSchema: e.PGBOSS_SCHEMA,
      ...optional("redisUrl", e.REDIS_URL),
      /** Prefix of every Redis key and channel: several deployments (or tests) can share one Redis. */
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      port: e.PORT,
      host: e.HOST,
      python: e.PYTHON ?? defaultPython(),
      sandbox: e.SANDBOX,
      /** Unset: generated once into the data directory by prepareDataDir. */
      ...optional("sessionSecret", e.SESSION_SECRET),
      ...optional("encryptionKey", e.ENCRYPTION_KEY),
      timeScale: e.TIME_SCALE,
      marketData: {
        /** "simulated" or the ccxt exchange id candles come from. */
        source: e.MARKET_DATA.replace(/^exchange:/, ""),
        /** The exchange's REST API elsewhere (a local simulator, a mirror). */
        ...optional("url", e.MARKET_DATA_URL),
        /** Real ms an execution waits for a late candle or a failing exchange before it fails. */
        waitBudgetMs: e.MARKET_DATA_WAIT_MS,
      },
      /** Where exchange broker accounts send their signed requests instead of their exchange's own API (ADR 140). */
      ...optional("exchangeUrl", e.EXCHANGE_URL),
      workerConcurrency: e.WORKER_CONCURRENCY,
      /** Sandbox ms each author's live runs get per candle close, across the deployment; 0: no limit (ADR 176). */
      authorTimePerCloseMs: e.AUTHOR_TIME_PER_CLOSE_MS,
      /** The standalone worker's /healthz and /metrics port. */
      workerPort: e.WORKER_PORT,
      /** What one user may hold or do at once (db/contracts/user-limits.ts, ADR 161). */
      limits: {
        subscriptions: e.MAX_SUBSCRIPTIONS_PER_USER,
        eventStreams: e.MAX_EVENT_STREAMS_PER_USER,
        apiRequestsPerMinutePerToken: e.API_RATE_LIMIT_PER_TOKEN,
        apiRequestsPerMinutePerUser: e.API_RATE_LIMIT_PER_USER,
      },
      /** How mail leaves (sign-up codes): the log and `mail-outbox.jsonl` in the data directory, or SMTP (ADR 162). */
      mail: { ...e.MAIL_URL, from: e.MAIL_FROM },
      logLevel: e.LOG_LEVEL,
      nodeEnv: e.NODE_ENV,
    };
  });

/** The environment parsed: what loadConfig answers, before prepareDataDir. */
export type ParsedConfig = z.output<typeof configSchema>;
/** What a process runs with: the parsed configuration with both secrets present. */
export type Config = ParsedConfig & { sessionSecret: string; encryptionKey: string };
export type MarketDataConfig = Config["marketData"];
export type MailConfig = Config["mail"];

export class ConfigError extends Error {
  constructor(public readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment, without I/O; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ParsedConfig {
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  }
  return result.data;
}

function randomSecret(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64");
}

/**
 * The step every entry point takes after loadConfig: creates the data directory (the embedded store,
 * PGlite and the secrets live there) and fills unset secrets from `secrets.json`, generating it once.
 */
export function prepareDataDir(config: ParsedConfig): Config {
  mkdirSync(config.dataDir, { recursive: true });
  const { sessionSecret, encryptionKey } = config;
  if (sessionSecret && encryptionKey) return { ...config, sessionSecret, encryptionKey };
  const file = join(config.dataDir, "secrets.json");
  let stored: { sessionSecret: string; encryptionKey: string };
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, "utf8"));
  } else {
    stored = { sessionSecret: randomSecret(48), encryptionKey: randomSecret(32) };
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return {
    ...config,
    sessionSecret: sessionSecret ?? stored.sessionSecret,
    encryptionKey: encryptionKey ?? stored.encryptionKey,
  };
}

/** For a process entry point: a ConfigError (from loadConfig or a part built from it) prints and exits 1. */
export function exitIfConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

/** A process entry point's configuration: parsed (a bad value prints the message and exits 1), its data directory prepared. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return prepareDataDir(loadConfig(env));
  } catch (error) {
    return exitIfConfigError(error);
  }
}
