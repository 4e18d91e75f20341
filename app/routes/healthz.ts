// GET /healthz: the state of the store, the queue and the bus (200 when all are up, 503 otherwise).
import type { LoaderFunctionArgs } from "@remix-run/node";

export async function loader({ context }: LoaderFunctionArgs) {
  const report = await context.app.health();
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
