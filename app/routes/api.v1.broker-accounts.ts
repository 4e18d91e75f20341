// /api/v1/broker-accounts: your broker accounts (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/broker-accounts");
export const loader = route.loader;
export const action = route.action;
