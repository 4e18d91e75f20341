// /api/v1/openapi.json: the OpenAPI 3.1 document (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/openapi.json");
export const loader = route.loader;
export const action = route.action;
