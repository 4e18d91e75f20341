// Builds the worker's market data from MARKET_DATA: the candle store in front of the simulated market or an exchange.
import type { Exchange } from "ccxt";
import { ConfigError, type MarketDataConfig } from "../../db/platform/config.server";
import { SIMULATED_SOURCE } from "../../db/contracts/domain";
import type { Lock } from "../../db/infra/lock";
import type { Db } from "../../db/store/client";
import { createCcxtExchange, UnknownExchangeError } from "../brokers/ccxt-exchange.server";
import { createCcxtUpstream } from "./ccxt-upstream.server";
import { pointExchangeAt } from "./exchange-url";
import type { MarketData } from "./market-data";
import { simulatedUpstream } from "./simulated-feed";
import { createStoredFeed } from "./stored-feed";
import type { CandleUpstream } from "./upstream";

/** The ccxt exchange MARKET_DATA names, pointed at MARKET_DATA_URL; one ccxt does not know is a ConfigError naming the variable. */
export function createMarketDataExchange(config: MarketDataConfig): Exchange {
  try {
    const exchange = createCcxtExchange({ exchangeId: config.source });
    return config.url ? pointExchangeAt(exchange, config.url) : exchange;
  } catch (error) {
    if (!(error instanceof UnknownExchangeError)) throw error;
    throw new ConfigError([
      { variable: "MARKET_DATA", message: `ccxt has no exchange "${config.source}" (e.g. exchange:binance)` },
    ]);
  }
}

/** The upstream MARKET_DATA names: the simulated market or an exchange. */
export function createUpstream(config: MarketDataConfig): CandleUpstream {
  if (config.source === SIMULATED_SOURCE) return simulatedUpstream;
  return createCcxtUpstream(createMarketDataExchange(config));
}

export function createMarketData(config: MarketDataConfig, deps: { db: Db; lock: Lock }): MarketData {
  return createStoredFeed({ ...deps, upstream: createUpstream(config), waitBudgetMs: config.waitBudgetMs });
}
