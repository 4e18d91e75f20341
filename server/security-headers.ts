// The security headers every response carries, on the Node (Express) and Deno entries alike.

/**
 * TLS is judged from the socket or, behind a reverse proxy, from its `X-Forwarded-Proto`: the app is meant to
 * listen only where the proxy alone can reach it (see README "Security"), so that header is trusted.
 */
export function cameOverTls(url: string, headers: Headers): boolean {
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded ? forwarded === "https" : url.startsWith("https:");
}

export function securityHeaders(overTls: boolean): Record<string, string> {
  return {
    "Content-Security-Policy":
      "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    ...(overTls ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
