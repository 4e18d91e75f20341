// /api/v1/me: who the token belongs to (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/me");
export const loader = route.loader;
export const action = route.action;
