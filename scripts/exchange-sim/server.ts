// The simulator's HTTP server: counts, applies faults and weight limits, then routes; no request can crash it.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { binanceMarketRoutes, REQUEST_WEIGHT } from "./binance-market";
import { binanceOrderRoutes } from "./binance-orders";
import { CONTROL_PREFIX, controlRoutes } from "./control";
import { binanceError, json, route, type Routes, type SimRequest, type SimResponse } from "./router";
import { spendWeight, WEIGHT_LIMIT, type SimState } from "./state";

const MAX_BODY = 64 * 1024;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) reject(new Error("body too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function rateLimited(state: SimState, used: number): SimResponse {
  const retryAfter = String(60 - Math.floor((state.now() % 60_000) / 1000));
  return {
    ...binanceError(
      429,
      -1003,
      `Too much request weight used; current limit is ${WEIGHT_LIMIT} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
    ),
    headers: {
      "Retry-After": retryAfter,
      "x-mbx-used-weight": String(used),
      "x-mbx-used-weight-1m": String(used),
    },
  };
}

async function exchangeAnswer(state: SimState, routes: Routes, request: SimRequest) {
  const { path } = request;
  state.requests[path] = (state.requests[path] ?? 0) + 1;
  if (state.faults.latencyMs > 0) await wait(state.faults.latencyMs);
  const used = spendWeight(state, REQUEST_WEIGHT[path] ?? 1);
  if (state.faults.rateLimit > 0) {
    state.faults.rateLimit--;
    return rateLimited(state, used);
  }
  if (used > WEIGHT_LIMIT) return rateLimited(state, used);
  if (state.faults.fail5xx > 0) {
    state.faults.fail5xx--;
    return json(
      { code: -1001, msg: "Internal error; unable to process your request. Please try again." },
      503,
    );
  }
  const answer = await route(routes, request);
  return {
    ...answer,
    headers: { ...answer.headers, "x-mbx-used-weight": String(used), "x-mbx-used-weight-1m": String(used) },
  };
}

export function createExchangeSimServer(state: SimState): Server {
  const routes: Routes = {
    ...binanceMarketRoutes(state),
    ...binanceOrderRoutes(state),
    ...controlRoutes(state),
  };
  return createServer((req, res) => {
    const send = (answer: SimResponse) => {
      if (res.headersSent) return;
      if (answer.destroy) return void req.socket.destroy();
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body));
    };
    (async () => {
      const url = new URL(req.url ?? "/", "http://sim");
      const method = req.method ?? "GET";
      const request: SimRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        rawQuery: url.search.slice(1),
        body: await readBody(req),
        headers: req.headers,
      };
      if (url.pathname.startsWith(CONTROL_PREFIX)) return route(routes, request);
      return exchangeAnswer(state, routes, request);
    })().then(send, (err: unknown) =>
      send(
        json(
          { code: -1000, msg: `An unknown error occurred while processing the request: ${String(err)}` },
          500,
        ),
      ),
    );
  });
}
