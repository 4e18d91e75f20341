// After an author changes a strategy (new version, deprecation, visibility): the store is the truth,
// so the workers' cached settings are evicted and the workers rebuild their active-candle registry.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import type { AppLoadContext } from "@remix-run/node";
import { forgetStrategySettings } from "../db/store/queries/strategy-settings";

export async function announceStrategyChange(context: AppLoadContext, strategyId: string) {
  const { infra, logger } = context.app;
  try {
    await forgetStrategySettings(infra.cache, strategyId);
    await infra.bus.publish(CHANNELS.strategyChanged, { strategyId });
  } catch (error) {
    // Committed anyway: the cached settings expire within their TTL and the registry rebuilds every 5 minutes.
    logger.warn({ err: error, strategyId }, "could not announce a strategy change");
  }
}
