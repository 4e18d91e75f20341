// Plan: every subscriber's trades, closes, events and exchange orders for this candle (pure, after one broker read per account).
import { sendsExchangeOrders } from "../../db/contracts/domain";
import type { FanOutSubscription } from "../../db/store/queries/fan-out";
import type { PaperConfig } from "../brokers/paper";
import { planFanOut, PAPER_LIMITS, type FanOutInput, type FanOutPlan } from "../fan-out";
import { atr } from "../risk/atr";
import type { ClaimedCandle, CoordinatorDeps } from "./types";
import type { Followers, VersionRuns } from "./versions";

type BrokerState = ReturnType<FanOutInput["brokerFor"]>;

export async function planCandle(
  deps: Pick<CoordinatorDeps, "marketData" | "exchange"> & { paper: PaperConfig },
  { executionId, job }: ClaimedCandle,
  followers: Extract<Followers, { followed: true }>,
  runs: Extract<VersionRuns, { ok: true }>,
): Promise<FanOutPlan> {
  const exchangeState = await exchangeStates(deps, job.symbol, followers.subscriptions);
  return planFanOut({
    execution: { id: executionId, ...job },
    subscriptions: followers.subscriptions,
    versionOf: followers.versionOf,
    outcomes: runs.outcomes,
    openTrades: runs.openTrades,
    candles: runs.candles,
    atr: atr(runs.candles),
    paper: deps.paper,
    brokerFor: (s) =>
      s.brokerKind === "paper" ? { limits: PAPER_LIMITS } : exchangeState.get(s.brokerAccountId)!,
  });
}

/** Each exchange account's market limits, read once per candle, or why it cannot trade now. */
async function exchangeStates(
  deps: Pick<CoordinatorDeps, "marketData" | "exchange">,
  symbol: string,
  subscriptions: readonly FanOutSubscription[],
): Promise<Map<string, BrokerState>> {
  const states = new Map<string, BrokerState>();
  // Second line of defence behind the subscribe form: never real orders on invented prices.
  const realPrices = sendsExchangeOrders(deps.marketData.source);
  const accounts = new Set(
    subscriptions.filter((s) => s.brokerKind === "exchange").map((s) => s.brokerAccountId),
  );
  for (const accountId of accounts) {
    states.set(
      accountId,
      realPrices
        ? await deps.exchange.prepare(accountId, symbol)
        : {
            reason: "simulated_market",
            unavailable: `No exchange order: this candle's prices come from the ${deps.marketData.source} market.`,
          },
    );
  }
  return states;
}
