// Points a ccxt exchange's REST API at another origin (a local exchange simulator, a mirror): MARKET_DATA_URL, EXCHANGE_URL.
import type { Exchange } from "ccxt";

type UrlTree = string | { [key: string]: UrlTree };

function rebase(tree: UrlTree, origin: string): UrlTree {
  if (typeof tree === "string") {
    const url = new URL(tree);
    return origin + url.pathname.replace(/\/$/, "") + url.search;
  }
  return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, rebase(value, origin)]));
}

/** Every API URL keeps its path and gets `baseUrl`'s origin, e.g. https://api.binance.com/api/v3 -> http://127.0.0.1:8099/api/v3. */
export function pointExchangeAt<T extends Pick<Exchange, "urls">>(exchange: T, baseUrl: string): T {
  const origin = new URL(baseUrl).origin;
  exchange.urls = {
    ...exchange.urls,
    api: rebase(exchange.urls.api as UrlTree, origin) as typeof exchange.urls.api,
  };
  return exchange;
}
