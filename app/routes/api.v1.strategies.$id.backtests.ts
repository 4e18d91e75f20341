// /api/v1/strategies/{id}/backtests: start a backtest (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/strategies/{id}/backtests");
export const loader = route.loader;
export const action = route.action;
