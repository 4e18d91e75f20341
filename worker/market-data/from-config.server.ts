// The candle store's upstream MARKET_DATA names: the simulated market or a ccxt exchange (MARKET_DATA_URL).
import type { Exchange } from "ccxt";
import { ConfigError, type MarketDataConfig } from "../../db/platform/config.server";
import { SIMULATED_SOURCE } from "../../db/contracts/domain";
import { createCcxtExchange, UnknownExchangeError } from "../brokers/ccxt-exchange.server";
import { createCcxtUpstream } from "./ccxt-upstream.server";
import { pointExchangeAt } from "./exchange-url";
import { simulatedUpstream } from "./simulated-feed";
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
