// /api/v1/validations/{id}: poll a validation (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/validations/{id}");
export const loader = route.loader;
export const action = route.action;
