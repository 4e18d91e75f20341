// `data download` wired to the configured exchange: its markets checked first, then the download, then a line per symbol.
import type { Config } from "../../db/platform/config.server";
import type { Db } from "../../db/store/client";
import { classifyExchangeError, createCcxtUpstream } from "../../worker/market-data/ccxt-upstream.server";
import { createMarketDataExchange } from "../../worker/market-data/from-config.server";
import { UsageError, type Command } from "./args";
import { DEFAULT_BACKOFF, withBackoff } from "./backoff";
import { downloadHistory } from "./download";
import { count, say } from "./output";

export async function runDownload(db: Db, command: Extract<Command, { command: "download" }>, config: Config) {
  const exchange = createMarketDataExchange(config.marketData);
  await withBackoff(
    () =>
      exchange
        .loadMarkets()
        .catch((error) => Promise.reject(classifyExchangeError(error, `${exchange.id} markets`))),
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
    const market = `${exchange.id} ${s.symbol} ${command.resolution}`;
    if (s.stored === 0 && s.unpublished === 0) {
      say(`${market}: nothing missing, already stored`);
      continue;
    }
    const unpublished = s.unpublished > 0 ? `; ${count(s.unpublished)} not published by ${exchange.id} yet` : "";
    say(`${market}: ${count(s.stored)} candles stored (${count(s.filled)} filled)${unpublished}`);
  }
}
