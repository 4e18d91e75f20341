// `npm run exchange-sim -- --port 8099 [--candles FILE.csv] [--symbols BTC/USDT,ETH/USDT] [fault flags]`.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseCandleCsv } from "../../worker/runtime/csv-candles";
import { csvSource, generatedSource } from "./candle-source";
import { createExchangeSimServer } from "./server";
import { createState, type Faults } from "./state";
import { createScaledClock } from "../../worker/market-data/scaled-clock";

const USAGE = `usage: npm run exchange-sim -- [--port 8099] [--candles FILE.csv] [--symbols BTC/USDT,ETH/USDT]
  [--time-scale N] [--latency-ms N] [--late-ms N] [--fail-5xx N] [--rate-limit N]`;

function nonNegativeInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw))
    throw new Error(`--${name} must be a non-negative integer, got "${raw}".\n${USAGE}`);
  return Number(raw);
}

function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8099" },
      candles: { type: "string" },
      symbols: { type: "string", default: "BTC/USDT,ETH/USDT,SOL/USDT" },
      "latency-ms": { type: "string" },
      "late-ms": { type: "string" },
      "fail-5xx": { type: "string" },
      "rate-limit": { type: "string" },
      "time-scale": { type: "string", default: "1" },
    },
  });
  const port = nonNegativeInteger("port", values.port)!;
  const symbols = values.symbols!.split(",").map((s) => s.trim());
  const bad = symbols.find((s) => !/^[A-Z0-9]+\/[A-Z0-9]+$/.test(s));
  if (bad) throw new Error(`--symbols: "${bad}" is not BASE/QUOTE.\n${USAGE}`);
  const faults: Partial<Faults> = {};
  const flags = {
    latencyMs: "latency-ms",
    lateMs: "late-ms",
    fail5xx: "fail-5xx",
    rateLimit: "rate-limit",
  } as const;
  for (const [key, flag] of Object.entries(flags) as [
    keyof typeof flags,
    (typeof flags)[keyof typeof flags],
  ][]) {
    const value = nonNegativeInteger(flag, values[flag]);
    if (value !== undefined) faults[key] = value;
  }
  const scale = Number(values["time-scale"]);
  if (!(scale >= 1 && scale <= 3600))
    throw new Error(`--time-scale must be a number from 1 to 3600, got "${values["time-scale"]}".\n${USAGE}`);
  // Its clock runs as Candlecast's at the same TIME_SCALE; a worker reads it from /api/v3/time.
  const clock = createScaledClock({ scale });
  const source = values.candles
    ? csvSource(parseCandleCsv(readFileSync(values.candles, "utf8")), clock.now())
    : generatedSource();
  const server = createExchangeSimServer(createState({ source, symbols, faults, now: clock.now }));
  server.listen(port, "127.0.0.1", () => {
    const address = server.address();
    const bound = typeof address === "object" && address ? address.port : port;
    // The one stdout line: tests and scripts read the port from it (--port 0 picks a free one).
    console.log(
      JSON.stringify({
        listening: `http://127.0.0.1:${bound}`,
        symbols,
        resolutions: source.resolutions,
        replayStart: source.replayStart,
      }),
    );
  });
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
