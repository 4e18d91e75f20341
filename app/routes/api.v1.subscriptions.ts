// /api/v1/subscriptions: list and create subscriptions (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/subscriptions");
export const loader = route.loader;
export const action = route.action;
