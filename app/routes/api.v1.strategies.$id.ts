// /api/v1/strategies/{id}: get and update a strategy's metadata (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/strategies/{id}");
export const loader = route.loader;
export const action = route.action;
