// /settings: opens the first settings tab.
import { redirect } from "@remix-run/node";

export function loader() {
  return redirect("/settings/brokers");
}
