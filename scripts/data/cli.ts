// `npm run data -- download | import | list`: history in the candle store (README "History").
import { readFileSync } from "node:fs";
import ccxt from "ccxt";
import { SIMULATED_SOURCE } from "../../db/contracts/domain";
import { ConfigError, loadConfig, type Config } from "../../db/platform/config.server";
import { openStore } from "../../db/store/client";
import type { Db } from "../../db/store/client";
import { migrateStore } from "../../db/store/migrate";
import { classifyExchangeError, createCcxtUpstream } from "../../worker/market-data/ccxt-upstream.server";
import { createMarketDataExchange } from "../../worker/market-data/from-config.server";
import { UpstreamError } from "../../worker/market-data/upstream";
import { parseCommand, USAGE, UsageError, type Command } from "./args";
import { DEFAULT_BACKOFF, withBackoff } from "./backoff";
import { downloadHistory } from "./download";
import { formatTime } from "./format-time";
import { BadFileError, importCandleFile } from "./import-file";
import { describeStore, renderStoreTable } from "./list-store";

/** Exit code 1: the configuration does not allow the command. */
class RefusedError extends Error {
  override name = "RefusedError";
}

const say = (line: string) => process.stdout.write(line + "\n");
const count = (n: number) => n.toLocaleString("en");

async function list(db: Db, json: boolean) {
  const reports = await describeStore(db);
  process.stdout.write(json ? JSON.stringify({ markets: reports }) + "\n" : renderStoreTable(reports));
}

function importSource(raw: string | undefined, config: Config): string {
  if (raw === SIMULATED_SOURCE)
    throw new UsageError("--source: the simulated market is computed, it cannot be imported");
  if (raw !== undefined) {
    if (!ccxt.exchanges.includes(raw)) throw new UsageError(`--source: ccxt has no exchange "${raw}" (e.g. binance)`);
    return raw;
  }
  if (config.marketData.source === SIMULATED_SOURCE)
    throw new UsageError("--source is required with MARKET_DATA=simulated: name the exchange the candles came from");
  return config.marketData.source;
}

async function importFile(db: Db, command: Extract<Command, { command: "import" }>, config: Config) {
  const source = importSource(command.source, config);
  let text: string;
  try {
    text = readFileSync(command.file, "utf8");
  } catch (error) {
    throw new UsageError(`FILE: cannot read ${command.file} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const summary = await importCandleFile(db, { ...command, fileName: command.file, text, source });
  say(
    `${source} ${command.symbol} ${command.resolution}: ${count(summary.rows)} rows (${summary.format} format) ` +
      `from ${formatTime(summary.from)} to ${formatTime(summary.to)}, ${count(summary.filled)} filled, ` +
      `${count(summary.inserted)} new to the store`,
  );
}

async function download(db: Db, command: Extract<Command, { command: "download" }>, config: Config) {
  if (config.marketData.source === SIMULATED_SOURCE)
    throw new RefusedError(
      "download needs an exchange: MARKET_DATA=simulated computes its candles, there is nothing to download " +
        "(set MARKET_DATA=exchange:<id>, e.g. exchange:binance)",
    );
  const exchange = createMarketDataExchange(config.marketData);
  await withBackoff(
    () => exchange.loadMarkets().catch((error) => Promise.reject(classifyExchangeError(error, `${exchange.id} markets`))),
    DEFAULT_BACKOFF,
  );
  const unknown = command.symbols.find((s) => !exchange.markets?.[s]);
  if (unknown) throw new UsageError(`--symbols: ${exchange.id} has no market ${unknown}`);
  process.once("SIGINT", () => {
    process.stderr.write("\ninterrupted: what was downloaded is stored; run the same command again to resume\n");
    process.exit(130);
  });
  const summaries = await downloadHistory(command, {
    db,
    upstream: createCcxtUpstream(exchange),
    progressOut: process.stderr,
    backoff: DEFAULT_BACKOFF,
    now: Date.now,
  });
  for (const s of summaries) {
    if (s.stored === 0 && s.unpublished === 0) {
      say(`${exchange.id} ${s.symbol} ${command.resolution}: nothing missing, already stored`);
      continue;
    }
    const unpublished = s.unpublished > 0 ? `; ${count(s.unpublished)} not published by ${exchange.id} yet` : "";
    say(
      `${exchange.id} ${s.symbol} ${command.resolution}: ${count(s.stored)} candles stored (${count(s.filled)} filled)${unpublished}`,
    );
  }
}

async function main(argv: string[]) {
  const command = parseCommand(argv);
  const config = loadConfig();
  const store = await openStore({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  try {
    await migrateStore(store.db);
    if (command.command === "list") await list(store.db, command.json);
    else if (command.command === "import") await importFile(store.db, command, config);
    else await download(store.db, command, config);
  } finally {
    store.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`data: ${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof UpstreamError)
      process.stderr.write(
        `data: ${error.message}\nwhat was downloaded is stored; run the same command again to resume\n`,
      );
    else if (error instanceof BadFileError || error instanceof RefusedError || error instanceof ConfigError)
      process.stderr.write(`data: ${error.message}\n`);
    else process.stderr.write(`data: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
