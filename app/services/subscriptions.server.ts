// The subscriber's use cases, one each for the pages and the API: subscribe, change the risk settings.
import type { AppLoadContext } from "@remix-run/node";
import { getPublicStrategy } from "../../db/store/queries/strategies";
import {
  createSubscription,
  getSubscription,
  updateRiskSettings,
} from "../../db/store/queries/subscriptions";
import type { Subscription } from "../../db/store/schema";
import type { RiskSettings, SubscribeInput } from "../../db/contracts/validation/risk-settings";
import { announceSubscriptionChange } from "../subscriptions.server";

/** A cancelled subscription is final: its settings cannot change (like pause and resume). */
export class SubscriptionCancelledError extends Error {
  readonly field = "status";
  constructor() {
    super("This subscription is cancelled: its settings cannot be changed");
  }
}

/** Subscribes to a public strategy named by id or slug; a draft or unknown one is refused as `strategyId`. */
export async function subscribe(
  context: AppLoadContext,
  userId: string,
  strategyRef: string,
  input: SubscribeInput,
) {
  const db = context.app.store.db;
  const strategy = await getPublicStrategy(db, strategyRef);
  const { id } = await createSubscription(db, userId, strategy?.id ?? strategyRef, input, {
    marketSource: context.app.config.marketData.source,
    maxSubscriptions: context.app.config.limits.subscriptions,
  });
  const created = (await getSubscription(db, userId, id))!;
  await announceSubscriptionChange(context, userId, {
    subscriptionId: id,
    strategyId: created.strategyId,
    status: created.status,
  });
  return created;
}

/** New risk settings from the next candle; null for a subscription that is not the user's. */
export async function changeRiskSettings(
  context: AppLoadContext,
  userId: string,
  current: Pick<Subscription, "id" | "status">,
  settings: RiskSettings,
) {
  if (current.status === "cancelled") throw new SubscriptionCancelledError();
  const db = context.app.store.db;
  const updated = await updateRiskSettings(db, userId, current.id, settings);
  if (!updated) return null;
  await announceSubscriptionChange(context, userId, {
    subscriptionId: updated.id,
    strategyId: updated.strategyId,
    status: updated.status,
  });
  return (await getSubscription(db, userId, current.id))!;
}
