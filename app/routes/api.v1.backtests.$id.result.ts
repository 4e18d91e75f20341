// /api/v1/backtests/{id}/result: a completed backtest's result (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/backtests/{id}/result");
export const loader = route.loader;
export const action = route.action;
