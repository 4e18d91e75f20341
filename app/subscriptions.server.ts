// Subscription actions shared by the list and detail pages: ownership guard, status changes, change notifications.
import { CHANNELS } from "../db/contracts/queues-and-channels";
import { json, type AppLoadContext } from "@remix-run/node";
import { type SubscriptionChanged } from "../db/contracts/events";
import { events } from "../db/store/schema";
import {
  changeSubscriptionStatus,
  getSubscription,
  type SubscriptionAction,
} from "../db/store/queries/subscriptions";

/** The user's subscription, or a thrown 404 (another user's id is indistinguishable from a missing one). */
export async function requireSubscriptionOwner(
  context: AppLoadContext,
  userId: string,
  subscriptionId: string,
) {
  const subscription = await getSubscription(context.app.store.db, userId, subscriptionId);
  if (!subscription) throw new Response("Subscription not found", { status: 404 });
  return subscription;
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

const INTENTS: Record<string, SubscriptionAction> = { pause: "pause", resume: "resume", cancel: "cancel" };

export function statusActionOf(intent: FormDataEntryValue | null): SubscriptionAction | null {
  return typeof intent === "string" ? (INTENTS[intent] ?? null) : null;
}

/** Pause / resume / cancel: null when done, a 409 response when the current status does not allow it. */
export async function applyStatusAction(
  context: AppLoadContext,
  userId: string,
  subscriptionId: string,
  action: SubscriptionAction,
) {
  const result = await changeSubscriptionStatus(context.app.store.db, userId, subscriptionId, action);
  if (!result) throw new Response("Subscription not found", { status: 404 });
  if (!result.changed) {
    return json(
      {
        ok: false as const,
        error: `This subscription is ${result.status}: it cannot be ${action === "cancel" ? "cancelled" : `${action}d`}.`,
      },
      { status: 409 },
    );
  }
  await announceSubscriptionChange(context, userId, {
    subscriptionId,
    strategyId: result.strategyId,
    status: result.status,
  });
  return null;
}
