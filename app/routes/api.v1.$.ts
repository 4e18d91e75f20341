// Any other /api/v1 path: a 404 in the API's error shape, not the HTML 404 page.
import { apiNotFound } from "~/api/dispatch.server";

export const loader = async () => apiNotFound();
export const action = async () => apiNotFound();
