// /api/v1/subscriptions/{id}/pause: pause a subscription (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/subscriptions/{id}/pause");
export const loader = route.loader;
export const action = route.action;
