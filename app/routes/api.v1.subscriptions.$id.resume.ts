// /api/v1/subscriptions/{id}/resume: resume a subscription (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/subscriptions/{id}/resume");
export const loader = route.loader;
export const action = route.action;
