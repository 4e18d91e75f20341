// Builds a ccxt exchange client from plain options (credentials arrive decrypted from the worker).
import ccxt, { type Exchange } from "ccxt";
import { pointExchangeAt } from "../market-data/exchange-url";

export interface CcxtExchangeOptions {
  /** A ccxt exchange id; Binance spot is the one we test against. */
  exchangeId?: string;
  apiKey?: string;
  secret?: string;
  sandbox?: boolean;
  /** Request timeout in ms (ccxt's default is 10 s). */
  timeoutMs?: number;
  /**
   * ccxt's own per-client request throttle (default on). Off for trading clients (ADR 143): one client per
   * account spaces nothing the exchange counts per IP, and it cost ~200 ms per order after loading markets.
   */
  rateLimit?: boolean;
  /** The exchange's REST API at another origin, e.g. the local simulator (EXCHANGE_URL, ADR 140). */
  baseUrl?: string;
}

export class UnknownExchangeError extends Error {
  override name = "UnknownExchangeError";
}

export function createCcxtExchange(options: CcxtExchangeOptions = {}): Exchange {
  const exchangeId = options.exchangeId ?? "binance";
  const ExchangeClass = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[exchangeId];
  if (!ccxt.exchanges.includes(exchangeId) || typeof ExchangeClass !== "function") {
    throw new UnknownExchangeError(`Unknown exchange "${exchangeId}".`);
  }
  const exchange = new ExchangeClass({
    apiKey: options.apiKey,
    secret: options.secret,
    enableRateLimit: options.rateLimit ?? true,
    timeout: options.timeoutMs ?? 10_000,
    // Node's global fetch (undici inside) instead of ccxt's direct undici.request: same engine, and
    // it is the layer msw intercepts, so tests never reach the network.
    fetchImplementation: (input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init),
    options: {
      // Currencies come from a private endpoint and margin pairs from another; spot markets are all we trade.
      fetchCurrencies: false,
      fetchMargins: false,
      fetchMarkets: { types: ["spot"] },
      defaultType: "spot",
    },
  });
  if (options.sandbox) exchange.setSandboxMode(true);
  return options.baseUrl ? pointExchangeAt(exchange, options.baseUrl) : exchange;
}
