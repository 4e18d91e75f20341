// /settings/brokers/:id/close-all: the kill switch's confirmation page for one broker account, without JavaScript.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CloseAllPage } from "~/components/close-all-page";
import { requireUserId } from "~/session.server";
import { listBrokerAccounts } from "../../db/store/queries/broker-accounts";
import { readCloseAllScope } from "../../db/store/queries/kill-switch";

export const meta: MetaFunction = () => [{ title: "Close all positions · Candlecast" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const id = params.id ?? "";
  const db = context.app.store.db;
  const [accounts, scope] = await Promise.all([
    listBrokerAccounts(db, userId),
    readCloseAllScope(db, userId, { brokerAccountId: id }),
  ]);
  const account = accounts.find((a) => a.id === id);
  if (!account || !scope) throw new Response("Broker account not found", { status: 404 });
  return json({
    id,
    name: account.name,
    kind: account.kind,
    counts: {
      openTrades: scope.openTrades,
      restingOrders: scope.restingOrders,
      toPause: scope.active.length,
    },
  });
}

export default function ConfirmAccountCloseAll() {
  const { id, name, kind, counts } = useLoaderData<typeof loader>();
  return (
    <CloseAllPage
      what={name}
      backHref="/settings/brokers"
      action="/settings/brokers"
      fields={{ accountId: id }}
      kind={kind}
      counts={counts}
    />
  );
}
