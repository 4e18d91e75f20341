// /api/v1/trades: all your trades (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/trades");
export const loader = route.loader;
export const action = route.action;
