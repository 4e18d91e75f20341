// POST /logout ends the session; a GET just goes home (logging out must not be a link a third party can trigger).
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { assertSameOrigin, logout } from "~/session.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return logout(request, context);
}
