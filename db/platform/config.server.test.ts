import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, parseEnv } from "./config.server";

const messageFor = (env: Record<string, string>) => {
  try {
    parseEnv(env);
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

  it("uses embedded defaults and generates secrets once into the data directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "cc-config-"));
    try {
      const a = loadConfig({ DATA_DIR: dir });
      expect(a.databaseUrl).toBe(`file:${join(dir, "candlecast.db")}`);
      expect(a.port).toBe(3000);
      expect(a.postgresUrl).toBeUndefined();
      expect(a.redisUrl).toBeUndefined();
      expect(Buffer.from(a.encryptionKey, "base64")).toHaveLength(32);
      const b = loadConfig({ DATA_DIR: dir });
      expect(b.sessionSecret).toBe(a.sessionSecret);
      expect(JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8")).encryptionKey).toBe(a.encryptionKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("treats empty variables as unset", () => {
    expect(parseEnv({ REDIS_URL: "", PORT: "" }).PORT).toBe(3000);
  });
});
