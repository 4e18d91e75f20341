// Refuses state-changing requests whose Origin is another site, before they reach Remix (which
// would answer its own CSRF check with a 500): a forged form post gets a clear 403 and changes nothing.
import { requestHost } from "../app/request-host";

type PageHandler = (request: Request, cspNonce: string) => Promise<Response>;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isCrossSite(request: Request): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const origin = request.headers.get("origin");
  if (!origin) return false; // non-browser clients (curl, API tokens); session routes check Referer themselves
  if (origin === "null") return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  return originHost !== requestHost(request);
}

export function rejectCrossSiteWrites(handler: PageHandler): PageHandler {
  return async (request, nonce) => {
    if (!isCrossSite(request)) return handler(request, nonce);
    const message = "Cross-site request refused: this form must be submitted from Candlecast itself.";
    const wantsJson = new URL(request.url).pathname.startsWith("/api/");
    return wantsJson
      ? Response.json({ error: { code: "cross_site", message } }, { status: 403 })
      : new Response(message, { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
  };
}
