// /api/v1/subscriptions/{id}/close-all: the kill switch for one subscription (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/subscriptions/{id}/close-all");
export const loader = route.loader;
export const action = route.action;
