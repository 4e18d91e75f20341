// The host a request was addressed to, as the browser saw it: the first X-Forwarded-Host behind a proxy,
// else Host, else the URL's. The one rule both cross-site checks compare an Origin against.
export function requestHost(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  return forwarded || request.headers.get("host") || new URL(request.url).host;
}
