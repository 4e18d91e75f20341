// /api/v1/strategies/{id}/versions: list and publish versions (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/strategies/{id}/versions");
export const loader = route.loader;
export const action = route.action;
