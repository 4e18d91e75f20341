// The market chart's loader data for the strategy and subscription pages: which market the URL picks, read from the store.
import type { AppLoadContext } from "@remix-run/node";
import { resolutionSchema } from "../db/contracts/domain";
import { CHART_MARKET_PARAM, type MarketChartData } from "../db/contracts/market-chart";
import { readMarketChart } from "../db/store/queries/market-chart";

/**
 * The chart of the market `?market=` names, or of the strategy's first symbol when it names none (or
 * one the strategy does not trade); null for a strategy without a published market.
 */
export async function loadMarketChart(
  context: AppLoadContext,
  request: Request,
  strategy: { id: string; symbols: string[]; resolution: string | null },
  subscription?: { userId: string; id: string },
): Promise<MarketChartData | null> {
  const resolution = resolutionSchema.safeParse(strategy.resolution);
  if (!resolution.success || strategy.symbols.length === 0) return null;
  const asked = new URL(request.url).searchParams.get(CHART_MARKET_PARAM);
  const symbol = asked && strategy.symbols.includes(asked) ? asked : strategy.symbols[0];
  return readMarketChart(context.app.store.db, {
    strategyId: strategy.id,
    symbol,
    symbols: strategy.symbols,
    resolution: resolution.data,
    fallbackSource: context.app.config.marketData.source,
    subscription,
  });
}
