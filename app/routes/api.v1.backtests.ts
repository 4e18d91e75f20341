// /api/v1/backtests: list your backtests (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/backtests");
export const loader = route.loader;
export const action = route.action;
