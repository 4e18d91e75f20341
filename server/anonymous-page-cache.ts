// A one-second micro-cache of pages served to anonymous visitors (no cookie, no token): the
// marketplace's hot path renders once per second per URL instead of once per request. Every copy served
// carries its own response's CSP nonce in place of the one the page was rendered with.
type PageHandler = (request: Request, cspNonce: string) => Promise<Response>;

interface Entry {
  expires: number;
  status: number;
  headers: [string, string][];
  /** The body cut at each occurrence of the nonce it was rendered with. */
  parts: Uint8Array[];
}

const encoder = new TextEncoder();

function splitAtNonce(body: Uint8Array, nonce: string): Uint8Array[] {
  const text = new TextDecoder().decode(body);
  return text.includes(nonce) ? text.split(nonce).map((part) => encoder.encode(part)) : [body];
}

function joinWithNonce(parts: Uint8Array[], nonce: string): Uint8Array {
  if (parts.length === 1) return parts[0];
  const glue = encoder.encode(nonce);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, glue.length * (parts.length - 1)));
  let at = 0;
  parts.forEach((part, i) => {
    if (i > 0) {
      out.set(glue, at);
      at += glue.length;
    }
    out.set(part, at);
    at += part.length;
  });
  return out;
}

const UNCACHED_PREFIXES = ["/events", "/api/", "/healthz", "/metrics"];

function cacheable(request: Request): boolean {
  if (request.method !== "GET") return false;
  if (request.headers.has("cookie") || request.headers.has("authorization")) return false;
  const { pathname } = new URL(request.url);
  return !UNCACHED_PREFIXES.some((p) => pathname.startsWith(p));
}

function storable(response: Response): boolean {
  const type = response.headers.get("content-type") ?? "";
  const control = response.headers.get("cache-control") ?? "";
  return (
    response.status === 200 &&
    !response.headers.has("set-cookie") &&
    !/no-store|private/.test(control) &&
    (type.startsWith("text/html") || type.startsWith("application/json"))
  );
}

export function cacheAnonymousPages(
  handler: PageHandler,
  opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): PageHandler {
  const ttlMs = opts.ttlMs ?? 1000;
  const maxEntries = opts.maxEntries ?? 1000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // Concurrent misses for one URL wait for the same render instead of each rendering it.
  const inflight = new Map<string, Promise<Entry | Response>>();

  const toResponse = (e: Entry, nonce: string, hit: boolean) =>
    new Response(joinWithNonce(e.parts, nonce) as BodyInit, {
      status: e.status,
      headers: [...e.headers, ["x-page-cache", hit ? "hit" : "miss"]],
    });

  const render = async (request: Request, nonce: string, key: string): Promise<Entry | Response> => {
    const response = await handler(request, nonce);
    if (!storable(response)) return response;
    const entry: Entry = {
      expires: now() + ttlMs,
      status: response.status,
      headers: [...response.headers],
      parts: splitAtNonce(new Uint8Array(await response.arrayBuffer()), nonce),
    };
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, entry);
    return entry;
  };

  return async (request, nonce) => {
    if (!cacheable(request)) return handler(request, nonce);
    const key = request.url;
    const cached = entries.get(key);
    if (cached && cached.expires > now()) return toResponse(cached, nonce, true);
    let pending = inflight.get(key);
    const leader = !pending;
    if (!pending) {
      pending = render(request, nonce, key).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    const result = await pending;
    if (result instanceof Response) return leader ? result : handler(request, nonce);
    return toResponse(result, nonce, !leader);
  };
}
