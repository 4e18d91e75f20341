// /api/v1/strategies: list and create strategies (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/strategies");
export const loader = route.loader;
export const action = route.action;
