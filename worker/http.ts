// The standalone worker's small HTTP port: /healthz (JSON, 200 or 503) and /metrics (Prometheus text).
import { createServer, type Server } from "node:http";

export function createWorkerHttpServer(deps: {
  health(): Promise<{ ok: boolean }>;
  metrics(): string;
  onError?: (error: unknown) => void;
}): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      res.writeHead(200, {
        "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
        "Cache-Control": "no-store",
      });
      res.end(deps.metrics());
      return;
    }
    if (path === "/healthz") {
      deps
        .health()
        .then((report) => {
          res.writeHead(report.ok ? 200 : 503, {
            "Content-Type": "application/json",
            "Cache-Control": "no-store",
          });
          res.end(JSON.stringify(report));
        })
        .catch((error) => {
          deps.onError?.(error);
          res.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify({ ok: false }));
        });
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
  });
}
