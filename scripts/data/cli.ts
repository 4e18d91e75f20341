// `npm run data -- download | import | list`: history in the candle store (README "History").
import { readFileSync } from "node:fs";
import { SIMULATED_SOURCE } from "../../db/contracts/domain";
import { ConfigError, loadConfig, prepareDataDir, type Config } from "../../db/platform/config.server";
import { openStore } from "../../db/store/client";
import type { Db } from "../../db/store/client";
import { migrateStore } from "../../db/store/migrate";
import { UpstreamError } from "../../worker/market-data/upstream";
import { parseCommand, USAGE, UsageError, type Command } from "./args";
import { formatTime } from "./format-time";
import { BadFileError, importCandleFile } from "./import-file";
import { describeStore, renderStoreTable } from "./list-store";
import { count, RefusedError, say } from "./output";

async function list(db: Db, json: boolean) {
  const reports = await describeStore(db);
  process.stdout.write(json ? JSON.stringify({ markets: reports }) + "\n" : renderStoreTable(reports));
}

async function importSource(raw: string | undefined, config: Config): Promise<string> {
  if (raw === SIMULATED_SOURCE)
    throw new UsageError("--source: the simulated market is computed, it cannot be imported");
  if (raw !== undefined) {
    const { exchanges } = (await import("ccxt")).default;
    if (!exchanges.includes(raw)) throw new UsageError(`--source: ccxt has no exchange "${raw}" (e.g. binance)`);
    return raw;
  }
  if (config.marketData.source === SIMULATED_SOURCE)
    throw new UsageError("--source is required with MARKET_DATA=simulated: name the exchange the candles came from");
  return config.marketData.source;
}

async function importFile(db: Db, command: Extract<Command, { command: "import" }>, config: Config) {
  const source = await importSource(command.source, config);
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

async function main(argv: string[]) {
  const command = parseCommand(argv);
  const config = prepareDataDir(loadConfig());
  const store = await openStore({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  try {
    await migrateStore(store.db);
    if (command.command === "list") await list(store.db, command.json);
    else if (command.command === "import") await importFile(store.db, command, config);
    else {
      if (config.marketData.source === SIMULATED_SOURCE)
        throw new RefusedError(
          "download needs an exchange: MARKET_DATA=simulated computes its candles, there is nothing to download " +
            "(set MARKET_DATA=exchange:<id>, e.g. exchange:binance)",
        );
      // ccxt alone takes ~2 s of CPU to load: only a download (and an explicit --source) pays for it.
      await (await import("./download-command")).runDownload(store.db, command, config);
    }
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
