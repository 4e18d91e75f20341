// `npm run exchange-sim -- --port 8099 [--candles FILE.csv|Binance kline dump] [--symbols BTC/USDT,ETH/USDT] [--accounts FILE.json] [--state FILE] [fault flags]`.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { readCandleFile } from "../data/candle-file";
import { accountInputSchema, upsertAccount } from "./accounts";
import { checkRestingOrders } from "./binance-orders";
import { csvSource, generatedSource } from "./candle-source";
import { emptyLedger, type Ledger } from "./ledger";
import { createExchangeSimServer } from "./server";
import { createState, type Faults } from "./state";
import { createLedgerWriter, readLedger } from "./state-file";
import { createScaledClock } from "../../worker/market-data/scaled-clock";

const USAGE = `usage: npm run exchange-sim -- [--port 8099] [--candles FILE.csv] [--symbols BTC/USDT,ETH/USDT]
  [--accounts FILE.json] [--state FILE] [--time-scale N] [--latency-ms N] [--late-ms N] [--fail-5xx N] [--rate-limit N]`;

/** Resting orders are checked against the price path this often (real time), besides on every request. */
const CHECK_EVERY_MS = 200;

/** Problems listed at most, the rest counted. */
const PROBLEMS_SHOWN = 5;

/** --candles FILE: our CSV or a Binance kline dump, read by the data CLI's parser; a bad file names its lines. */
function readCandles(file: string) {
  const { candles, problems } = readCandleFile(readFileSync(file, "utf8"));
  if (problems.length === 0) return candles;
  const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => `  line ${p.line}: ${p.message}`);
  const more = problems.length - shown.length;
  throw new Error([`--candles ${file}:`, ...shown, ...(more > 0 ? [`  … and ${more} more`] : [])].join("\n"));
}

/** --accounts FILE.json: [{"apiKey","secret","balances":{"USDT":10000}}]; an account already in --state keeps its own. */
function addAccounts(ledger: Ledger, file: string) {
  const parsed = z.array(accountInputSchema).safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--accounts ${file}: ${issue.path.join(".")}: ${issue.message}`);
  }
  for (const account of parsed.data) if (!ledger.accounts[account.apiKey]) upsertAccount(ledger, account);
}

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
      accounts: { type: "string" },
      state: { type: "string" },
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
  const source = values.candles ? csvSource(readCandles(values.candles), clock.now()) : generatedSource();
  const ledger = values.state ? readLedger(values.state) : emptyLedger();
  if (values.accounts) addAccounts(ledger, values.accounts);
  const writer = values.state ? createLedgerWriter(values.state, ledger) : undefined;
  const state = createState({
    source,
    symbols,
    faults,
    now: clock.now,
    ledger,
    ledgerChanged: writer?.changed,
  });
  writer?.changed();
  const server = createExchangeSimServer(state);
  setInterval(() => checkRestingOrders(state), CHECK_EVERY_MS).unref();
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    process.once(signal, () => {
      writer?.flushPending();
      process.exit(0);
    });
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
