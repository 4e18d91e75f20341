// /subscriptions/:id/close-all: the kill switch's confirmation page for browsers without JavaScript.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CloseAllPage } from "~/components/close-all-page";
import { requireUserId } from "~/session.server";
import { readCloseAllScope } from "../../db/store/queries/kill-switch";
import { getSubscriptionDetail } from "../../db/store/queries/subscriptions";

export const meta: MetaFunction = () => [{ title: "Close all positions · Candlecast" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const id = params.id ?? "";
  const db = context.app.store.db;
  const [detail, scope] = await Promise.all([
    getSubscriptionDetail(db, userId, id),
    readCloseAllScope(db, userId, { subscriptionId: id }),
  ]);
  if (!detail || !scope) throw new Response("Subscription not found", { status: 404 });
  return json({
    id,
    strategyName: detail.strategy.name,
    kind: detail.broker.kind,
    counts: {
      openTrades: scope.openTrades,
      restingOrders: scope.restingOrders,
      toPause: scope.active.length,
    },
  });
}

export default function ConfirmCloseAll() {
  const { id, strategyName, kind, counts } = useLoaderData<typeof loader>();
  return (
    <CloseAllPage
      what={strategyName}
      backHref={`/subscriptions/${id}`}
      action={`/subscriptions/${id}`}
      kind={kind}
      counts={counts}
    />
  );
}
