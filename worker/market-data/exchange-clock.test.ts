// The worker's clock against an exchange with a clock of its own (the simulator as its own process):
// anchored on its server time when both run at one speed, refused naming TIME_SCALE when they do not.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../db/platform/config.server";
import { startExchangeSim, type ExchangeSimProcess } from "../../test/support/exchange-sim-process";
import { createCcxtExchange } from "../brokers/ccxt-exchange.server";
import { createCcxtUpstream } from "./ccxt-upstream.server";
import { anchorOnExchangeClock } from "./exchange-clock";
import { pointExchangeAt } from "./exchange-url";

const SCALE = 60;
let sim: ExchangeSimProcess;
beforeAll(async () => {
  sim = await startExchangeSim(["--symbols", "BTC/USDT", "--time-scale", String(SCALE)]);
});
afterAll(() => sim.stop());

const serverTime = () => createCcxtUpstream(pointExchangeAt(createCcxtExchange(), sim.base)).serverTime!();

describe("the worker's clock on the exchange's", () => {
  it("at the simulator's own --time-scale is anchored on its server time", async () => {
    const anchor = await anchorOnExchangeClock(serverTime, SCALE);
    const now = await serverTime();
    const ours = anchor.simulated + (Date.now() - anchor.real) * SCALE;
    // Ours trails the exchange's by at most a request's transit (scaled), never leads it by more than jitter.
    expect(Math.abs(now - ours)).toBeLessThan(1_000 * SCALE);
    expect(anchor.simulated - anchor.real).toBeGreaterThan(0);
  });

  it("refuses a TIME_SCALE the simulator's clock does not run at, naming the variable", async () => {
    const error = await anchorOnExchangeClock(serverTime, 600).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /TIME_SCALE: 600, but the MARKET_DATA exchange's clock runs \d+ times real time: start the simulator with --time-scale 600/,
    );
  });

  it("stops `npm run worker` at start with that reason and exit code 1", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "candlecast-clock-"));
    const child = spawn("node_modules/.bin/tsx", ["worker/main.ts"], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: `file:${join(dataDir, "candlecast.db")}`,
        MARKET_DATA: "exchange:binance",
        MARKET_DATA_URL: sim.base,
        TIME_SCALE: "600",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain("TIME_SCALE: 600, but the MARKET_DATA exchange's clock runs");
  }, 120_000);
});
