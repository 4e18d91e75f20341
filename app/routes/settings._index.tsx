// /settings: broker accounts are the only settings so far.
import { redirect } from "@remix-run/node";

export function loader() {
  return redirect("/settings/brokers");
}
