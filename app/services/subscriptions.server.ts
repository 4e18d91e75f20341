// The subscriber's use cases, one each for the pages and the API: subscribe, change the risk settings,
// pause / resume / cancel; each announces the change.
import type { AppLoadContext } from "@remix-run/node";
import type { SubscriptionChanged } from "../../db/contracts/events";
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { getPublicStrategy } from "../../db/store/queries/strategies";
import {
  changeSubscriptionStatus,
  createSubscription,
  getSubscription,
  updateRiskSettings,
  type SubscriptionAction,
} from "../../db/store/queries/subscriptions";
import { events, type Subscription } from "../../db/store/schema";
import type { RiskSettings, SubscribeInput } from "../../db/contracts/validation/risk-settings";

/** A cancelled subscription is final: its settings cannot change (like pause and resume). */
export class SubscriptionCancelledError extends Error {
  readonly field = "status";
  constructor() {
    super("This subscription is cancelled: its settings cannot be changed");
  }
}

/** The current status does not allow the change (pausing a paused subscription, anything on a cancelled one). */
export class StatusChangeRefusedError extends Error {
  readonly field = "status";
  constructor(status: string, action: SubscriptionAction) {
    super(`This subscription is ${status}: it cannot be ${action === "cancel" ? "cancelled" : `${action}d`}`);
  }
}

/**
 * Tells the workers (they refresh their active-candle registry) and the user's other open tabs
 * (an outbox event, so a reconnecting tab replays it too).
 */
export async function announceSubscriptionChange(
  context: AppLoadContext,
  userId: string,
  change: SubscriptionChanged,
) {
  const { store, infra, logger } = context.app;
  const [row] = await store.db
    .insert(events)
    .values({ userId, type: "subscription.changed", payload: JSON.stringify(change), createdAt: Date.now() })
    .returning();
  try {
    await infra.bus.publish(CHANNELS.subscriptionChanged, change);
    await infra.bus.publish(CHANNELS.outbox, { events: [{ ...row, payload: change }] });
  } catch (error) {
    // The change is committed; the workers' periodic registry rebuild picks it up within minutes.
    logger.warn({ err: error, change }, "could not publish a subscription change");
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

/** Pause / resume / cancel from the next candle; null for a subscription that is not the user's. */
export async function changeStatus(
  context: AppLoadContext,
  userId: string,
  subscriptionId: string,
  action: SubscriptionAction,
) {
  const result = await changeSubscriptionStatus(context.app.store.db, userId, subscriptionId, action);
  if (!result) return null;
  if (!result.changed) throw new StatusChangeRefusedError(result.status, action);
  await announceSubscriptionChange(context, userId, {
    subscriptionId: result.id,
    strategyId: result.strategyId,
    status: result.status,
  });
  return result;
}
