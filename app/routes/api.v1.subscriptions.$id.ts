// /api/v1/subscriptions/{id}: get a subscription, change its risk settings (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/subscriptions/{id}");
export const loader = route.loader;
export const action = route.action;
