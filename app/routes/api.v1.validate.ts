// /api/v1/validate: validate code on a worker (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/validate");
export const loader = route.loader;
export const action = route.action;
