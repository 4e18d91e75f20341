// A table of handlers per method and path: the simulator grows by adding rows.
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string as sent (without "?"): signatures are computed over it, not a re-encoding. */
  rawQuery: string;
  body: string;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Destroy the connection instead of answering (an order executed whose answer is lost). */
  destroy?: boolean;
}

export type Handler = (request: SimRequest) => SimResponse | Promise<SimResponse>;
export type Routes = Record<string, Handler>;

export const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

export const json = (body: unknown, status = 200, headers?: Record<string, string>): SimResponse => ({
  status,
  body,
  headers,
});

export const isSimResponse = (value: unknown): value is SimResponse =>
  typeof value === "object" && value !== null && "status" in value && "body" in value;

/** Binance's error body: {"code": -1121, "msg": "Invalid symbol."}. */
export const binanceError = (status: number, code: number, msg: string) => json({ code, msg }, status);

export function route(routes: Routes, request: SimRequest): SimResponse | Promise<SimResponse> {
  const handler = routes[routeKey(request.method, request.path)];
  return handler
    ? handler(request)
    : json({ code: -1, msg: `No route ${request.method} ${request.path}.` }, 404);
}
