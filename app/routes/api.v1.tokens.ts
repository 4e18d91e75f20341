// /api/v1/tokens: list and create API tokens (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/tokens");
export const loader = route.loader;
export const action = route.action;
