// A table of handlers per method and path: the simulator grows (order endpoints later) by adding rows.
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: SimRequest) => SimResponse | Promise<SimResponse>;
export type Routes = Record<string, Handler>;

export const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

export const json = (body: unknown, status = 200, headers?: Record<string, string>): SimResponse => ({
  status,
  body,
  headers,
});

/** Binance's error body: {"code": -1121, "msg": "Invalid symbol."}. */
export const binanceError = (status: number, code: number, msg: string) => json({ code, msg }, status);

export function route(routes: Routes, request: SimRequest): SimResponse | Promise<SimResponse> {
  const handler = routes[routeKey(request.method, request.path)];
  return handler
    ? handler(request)
    : json({ code: -1, msg: `No route ${request.method} ${request.path}.` }, 404);
}
