// The web bench's floor, in a process of its own like the app: node:http answering every GET with the markup the app
// rendered, and /events streaming each bus message to every connection, with no routing, session or rendering.
// Started as `node --import tsx bench/_bare-server.ts SPEC_JSON`; prints `{"port":N}` once it listens.
import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { Redis } from "ioredis";

const spec = JSON.parse(process.argv[2]) as {
  bodyFile: string;
  contentType: string;
  redisUrl: string;
  channel: string;
};
const body = readFileSync(spec.bodyFile);
const streams = new Set<ServerResponse>();

const subscriber = new Redis(spec.redisUrl);
await subscriber.subscribe(spec.channel);
subscriber.on("message", (_channel, message: string) => {
  // The same work per event as the app's stream: parse the bus message once, write an SSE frame per connection.
  const { events } = JSON.parse(message) as {
    events: { seq: number; type: string; payload: unknown; createdAt: number }[];
  };
  for (const e of events) {
    const frame = `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
    for (const res of streams) res.write(frame);
  }
});

const server = createServer((req, res) => {
  if (req.url === "/events") {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.write("retry: 2000\n: connected\n\n");
    streams.add(res);
    req.on("close", () => streams.delete(res));
    return;
  }
  res.writeHead(200, { "Content-Type": spec.contentType, "Content-Length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the bare server has no port");
  console.log(JSON.stringify({ port: address.port }));
});
process.on("SIGTERM", () => {
  subscriber.disconnect();
  for (const res of streams) res.destroy();
  server.close(() => process.exit(0));
});
