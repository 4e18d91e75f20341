// /api/v1/tokens/{id}: revoke an API token (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/tokens/{id}");
export const loader = route.loader;
export const action = route.action;
