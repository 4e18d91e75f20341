// /api/v1/broker-accounts/{id}/close-all: the kill switch for a whole broker account (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/broker-accounts/{id}/close-all");
export const loader = route.loader;
export const action = route.action;
