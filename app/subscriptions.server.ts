// The subscription pages' helpers: the ownership guard and the form intent of a status change
// (the use cases are in services/subscriptions.server.ts).
import type { AppLoadContext } from "@remix-run/node";
import { getSubscription, type SubscriptionAction } from "../db/store/queries/subscriptions";

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

const INTENTS: Record<string, SubscriptionAction> = { pause: "pause", resume: "resume", cancel: "cancel" };

export function statusActionOf(intent: FormDataEntryValue | null): SubscriptionAction | null {
  return typeof intent === "string" ? (INTENTS[intent] ?? null) : null;
}
