// GET /author/validations/:id: the state of the signed-in author's validation, polled by the page while it runs.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { awaitValidation } from "~/services/author-jobs.server";
import { requireUserId } from "~/session.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const userId = await requireUserId(request, context);
  const state = await awaitValidation(context, userId, params.id ?? "", 2_000);
  if (!state) throw new Response("Validation not found", { status: 404 });
  return json(state, { headers: { "Cache-Control": "no-store" } });
}
