import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, prepareDataDir } from "./config.server";

const messageFor = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("config", () => {
  it("rejects a bad PORT naming the variable", () => {
    expect(messageFor({ PORT: "eighty" })).toMatch(/PORT: must be a number/);
    expect(messageFor({ PORT: "70000" })).toMatch(/PORT: must be between 1 and 65535/);
  });

  it("says the same thing for every variable of a kind: ports, counts, milliseconds", () => {
    expect(messageFor({ WORKER_PORT: "0" })).toMatch(/WORKER_PORT: must be between 1 and 65535/);
    expect(messageFor({ WORKER_CONCURRENCY: "0" })).toMatch(/WORKER_CONCURRENCY: must be at least 1/);
    expect(messageFor({ WORKER_CONCURRENCY: "65" })).toMatch(/WORKER_CONCURRENCY: must be at most 64/);
    expect(messageFor({ WORKER_CONCURRENCY: "two" })).toMatch(/WORKER_CONCURRENCY: must be a number/);
    expect(messageFor({ MARKET_DATA_WAIT_MS: "1.5" })).toMatch(
      /MARKET_DATA_WAIT_MS: must be a whole number of milliseconds/,
    );
    expect(messageFor({ MARKET_DATA_WAIT_MS: "300001" })).toMatch(
      /MARKET_DATA_WAIT_MS: must be at most 300000 \(5 minutes\)/,
    );
  });

  it("rejects a bad DATABASE_URL naming the variable", () => {
    expect(messageFor({ DATABASE_URL: "mysql://x" })).toMatch(
      /DATABASE_URL: must be a URL starting with file:/,
    );
  });

  it("names every bad variable at once", () => {
    const msg = messageFor({ PORT: "-1", REDIS_URL: "localhost", PYTHON: "python3" });
    expect(msg).toMatch(/PORT/);
    expect(msg).toMatch(/REDIS_URL/);
    expect(msg).toMatch(/PYTHON: must be an absolute path/);
  });

  it("parses without touching the disk: no data directory, no secrets file", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "cc-config-")), "data");
    try {
      const config = loadConfig({ DATA_DIR: dir });
      expect(config.dataDir).toBe(dir);
      expect(config.sessionSecret).toBeUndefined();
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(join(dir, ".."), { recursive: true, force: true });
    }
  });

  it("uses embedded defaults, and preparing the data directory generates secrets once into it", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "cc-config-")), "data");
    try {
      const a = prepareDataDir(loadConfig({ DATA_DIR: dir }));
      expect(a.databaseUrl).toBe(`file:${join(dir, "candlecast.db")}`);
      expect(a.port).toBe(3000);
      expect(a.postgresUrl).toBeUndefined();
      expect(a.redisUrl).toBeUndefined();
      expect(Buffer.from(a.encryptionKey, "base64")).toHaveLength(32);
      const b = prepareDataDir(loadConfig({ DATA_DIR: dir }));
      expect(b.sessionSecret).toBe(a.sessionSecret);
      expect(JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8")).encryptionKey).toBe(a.encryptionKey);
      const given = Buffer.alloc(32, 1).toString("base64");
      expect(prepareDataDir(loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: given }))).toMatchObject({
        encryptionKey: given,
        sessionSecret: a.sessionSecret,
      });
    } finally {
      rmSync(join(dir, ".."), { recursive: true, force: true });
    }
  });

  it("reads MARKET_DATA as simulated or an exchange, and refuses anything else naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "cc-config-"));
    try {
      expect(loadConfig({ DATA_DIR: dir }).marketData).toEqual({ source: "simulated", waitBudgetMs: 15_000 });
      expect(
        loadConfig({
          DATA_DIR: dir,
          MARKET_DATA: "exchange:binance",
          MARKET_DATA_URL: "http://127.0.0.1:8099",
          MARKET_DATA_WAIT_MS: "500",
        }).marketData,
      ).toEqual({ source: "binance", url: "http://127.0.0.1:8099", waitBudgetMs: 500 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(messageFor({ MARKET_DATA: "binance" })).toMatch(/MARKET_DATA: must be simulated or exchange:/);
    expect(messageFor({ MARKET_DATA: "exchange:" })).toMatch(/MARKET_DATA: must be/);
    expect(messageFor({ MARKET_DATA: "exchange:binance", MARKET_DATA_URL: "ftp://x" })).toMatch(
      /MARKET_DATA_URL: must be a URL starting with http:, https:/,
    );
    expect(messageFor({ MARKET_DATA_URL: "http://127.0.0.1:8099" })).toMatch(
      /MARKET_DATA_URL: points an exchange's API elsewhere, so it needs MARKET_DATA=exchange:<id>/,
    );
    expect(messageFor({ MARKET_DATA_WAIT_MS: "soon" })).toMatch(/MARKET_DATA_WAIT_MS: must be a number/);
    expect(messageFor({ MARKET_DATA: "exchange:binance", TIME_SCALE: "60" })).toMatch(
      /TIME_SCALE: a real exchange's candles close in real time: above 1 it needs MARKET_DATA_URL/,
    );
  });

  it("reads STORE_TIMEOUT_MS as a bound in milliseconds and refuses one out of range naming it", () => {
    expect(loadConfig({}).storeTimeoutMs).toBe(10_000);
    expect(loadConfig({ STORE_TIMEOUT_MS: "2500" }).storeTimeoutMs).toBe(2500);
    expect(messageFor({ STORE_TIMEOUT_MS: "soon" })).toMatch(/STORE_TIMEOUT_MS: must be a number/);
    expect(messageFor({ STORE_TIMEOUT_MS: "10" })).toMatch(/STORE_TIMEOUT_MS: must be at least 100/);
  });

  it("reads AUTHOR_TIME_PER_CLOSE_MS (0 turns the limit off) and refuses a bad value naming it", () => {
    expect(loadConfig({}).authorTimePerCloseMs).toBe(10_000);
    expect(loadConfig({ AUTHOR_TIME_PER_CLOSE_MS: "0" }).authorTimePerCloseMs).toBe(0);
    expect(messageFor({ AUTHOR_TIME_PER_CLOSE_MS: "-5" })).toMatch(/AUTHOR_TIME_PER_CLOSE_MS: must be 0/);
    expect(messageFor({ AUTHOR_TIME_PER_CLOSE_MS: "2.5" })).toMatch(
      /AUTHOR_TIME_PER_CLOSE_MS: must be a whole/,
    );
  });

  it("reads EXCHANGE_URL apart from MARKET_DATA_URL, and refuses a non-HTTP one naming the variable", () => {
    expect(loadConfig({}).exchangeUrl).toBeUndefined();
    expect(messageFor({ EXCHANGE_URL: "127.0.0.1:8099" })).toMatch(
      /EXCHANGE_URL: must be a URL starting with http:, https:/,
    );
    expect(loadConfig({ EXCHANGE_URL: "http://127.0.0.1:8099" }).exchangeUrl).toBe("http://127.0.0.1:8099");
  });

  it("reads the per-user caps with their defaults, and refuses a bad one naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "cc-config-"));
    try {
      expect(loadConfig({ DATA_DIR: dir }).limits).toEqual({
        subscriptions: 100,
        eventStreams: 10,
        apiRequestsPerMinutePerToken: 120,
        apiRequestsPerMinutePerUser: 300,
      });
      expect(
        loadConfig({ DATA_DIR: dir, MAX_SUBSCRIPTIONS_PER_USER: "5", API_RATE_LIMIT_PER_USER: "50" }).limits,
      ).toMatchObject({ subscriptions: 5, apiRequestsPerMinutePerUser: 50 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(messageFor({ MAX_SUBSCRIPTIONS_PER_USER: "0" })).toMatch(
      /MAX_SUBSCRIPTIONS_PER_USER: must be at least 1/,
    );
    expect(messageFor({ MAX_EVENT_STREAMS_PER_USER: "lots" })).toMatch(
      /MAX_EVENT_STREAMS_PER_USER: must be a number/,
    );
    expect(messageFor({ API_RATE_LIMIT_PER_TOKEN: "1.5" })).toMatch(
      /API_RATE_LIMIT_PER_TOKEN: must be a whole number/,
    );
  });

  it("sends mail to the log by default, through SMTP when MAIL_URL says so, and refuses a bad one naming it", () => {
    expect(loadConfig({}).mail).toEqual({
      transport: "log",
      from: "Candlecast <no-reply@candlecast.localhost>",
    });
    expect(
      loadConfig({ MAIL_URL: "smtps://user:p%40ss@mail.example.com:465", MAIL_FROM: "ops@example.com" }).mail,
    ).toEqual({
      transport: "smtp",
      url: "smtps://user:p%40ss@mail.example.com:465",
      from: "ops@example.com",
    });
    for (const bad of ["http://mail.example.com", "smtp://", "mail.example.com:25", "logs"])
      expect(messageFor({ MAIL_URL: bad })).toMatch(
        /MAIL_URL: must be log or smtp:\/\/user:password@host:port/,
      );
    for (const bad of ["not an address", "Ops <ops@example.com", "a@b.c\nBcc: x@y.z"])
      expect(messageFor({ MAIL_FROM: bad })).toMatch(/MAIL_FROM: must be an email address/);
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig({ REDIS_URL: "", PORT: "" });
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBeUndefined();
  });
});
