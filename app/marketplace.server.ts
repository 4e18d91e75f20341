// The marketplace and strategy-page loaders' data: parses the URL, reads the store, throws 404 for what visitors may not see.
import { z } from "zod";
import type { Db } from "../db/store/client";
import type { Cache } from "../db/infra/cache";
import { cacheAside } from "../db/infra/cache-aside";
import {
  authorBacktestInProgress,
  listLatestBacktests,
  listRecentSignals,
  marketplaceFacets,
  marketplaceQuerySchema,
  getPublicStrategyPage,
  searchPublicStrategies,
  strategyLivePerformance,
} from "../db/store/queries/marketplace";
import { listStrategyVersions } from "../db/store/queries/strategies";
import { listMarketSources } from "../db/store/queries/executions";
import { DAYS_PER_YEAR } from "../db/contracts/performance";
import { showsBacktest } from "./components/market-card";

const facetsSchema = z.object({
  symbols: z.array(z.object({ value: z.string(), count: z.number() })),
  tags: z.array(z.object({ value: z.string(), count: z.number() })),
});
/** The filter choices change slowly and cost a join over every public strategy: a minute old is fine. */
const FACETS_TTL_MS = 60_000;

/**
 * Everything the marketplace page shows for the URL `url`; each card says which candles its figures
 * come from, `marketSource` (MARKET_DATA's) for a strategy that has executed nothing yet.
 */
export async function loadMarketplace(deps: { db: Db; cache: Cache }, url: URL, marketSource: string) {
  const query = marketplaceQuerySchema.parse(Object.fromEntries(url.searchParams));
  const [results, facets] = await Promise.all([
    searchPublicStrategies(deps.db, query),
    cacheAside(deps.cache, "marketplace:facets", facetsSchema, FACETS_TTL_MS, () =>
      marketplaceFacets(deps.db),
    ),
  ]);
  const filtered = Boolean(query.q || query.symbol || query.resolution || query.tag);
  const items = results.items.map((s) => ({
    ...s,
    figuresSource: (showsBacktest(s) ? s.backtestSource : s.liveSource) ?? marketSource,
  }));
  return { query, filtered, ...results, items, facets };
}

/** Everything the strategy page shows; a 404 Response for unknown and draft strategies. */
export async function loadStrategyPage(db: Db, slug: string) {
  const strategy = await getPublicStrategyPage(db, slug);
  if (!strategy) throw new Response("Strategy not found", { status: 404, statusText: "Not Found" });
  const [versions, performance, signals, backtests, backtestInProgress, marketSources] = await Promise.all([
    listStrategyVersions(db, strategy.id),
    strategyLivePerformance(db, strategy.id),
    listRecentSignals(db, strategy.id),
    listLatestBacktests(db, strategy.id, strategy.authorId),
    authorBacktestInProgress(db, strategy.id, strategy.authorId),
    listMarketSources(db, strategy.id),
  ]);
  const { authorId: _authorId, ...publicStrategy } = strategy;
  return {
    strategy: publicStrategy,
    versions: versions
      .filter((v) => v.status !== "draft")
      .map(({ id, version, changelog, status, resolution, symbols, publishedAt }) => ({
        id,
        version,
        changelog,
        status,
        resolution,
        symbols,
        publishedAt,
        latest: id === strategy.latestVersionId,
      })),
    performance,
    annualisationDays: DAYS_PER_YEAR,
    signals,
    backtests,
    backtestInProgress,
    marketSources,
  };
}
