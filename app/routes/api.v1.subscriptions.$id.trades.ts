// /api/v1/subscriptions/{id}/trades: a subscription's trades (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/subscriptions/{id}/trades");
export const loader = route.loader;
export const action = route.action;
