// /api/v1/executions: the execution log of your strategies (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/executions");
export const loader = route.loader;
export const action = route.action;
