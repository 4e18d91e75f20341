// /api/v1/strategies/{id}/versions/{versionId}: get a version, deprecate or re-publish it (resource route; the operations are in app/api/).
import { apiRoute } from "~/api/dispatch.server";

const route = apiRoute("/strategies/{id}/versions/{versionId}");
export const loader = route.loader;
export const action = route.action;
