// GET /metrics: the in-process worker's counters and histograms in Prometheus text format (embedded mode).
import type { LoaderFunctionArgs } from "@remix-run/node";

export async function loader({ context }: LoaderFunctionArgs) {
  const metrics = context.app.metrics;
  if (!metrics) {
    // A web-only process runs no worker: each worker serves /metrics on its own port (WORKER_PORT).
    return new Response("No worker in this process: scrape each worker's /metrics on its WORKER_PORT.\n", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  return new Response(await metrics(), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
}
