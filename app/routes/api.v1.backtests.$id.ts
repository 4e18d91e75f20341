// /api/v1/backtests/{id}: poll a backtest (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/backtests/{id}");
export const loader = route.loader;
export const action = route.action;
