// The security headers every response carries, on the Node (Express) and Deno entries alike, and the
// per-response nonce that lets Remix's inline scripts (and only them) run under the Content-Security-Policy.

/**
 * TLS is judged from the socket or, behind a reverse proxy, from its `X-Forwarded-Proto`: the app is meant to
 * listen only where the proxy alone can reach it (see README "Security"), so that header is trusted.
 */
export function cameOverTls(url: string, headers: Headers): boolean {
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded ? forwarded === "https" : url.startsWith("https:");
}

/** 128 random bits, base64: a fresh one for every response (Web Crypto, so Node and Deno alike). */
export function newCspNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * Scripts: our own files and inline scripts carrying this response's nonce; nothing inline otherwise.
 * Inline style *attributes* stay allowed (`style-src-attr`): the charts and bars size themselves with
 * them, and a style attribute cannot run code; `<style>` elements and foreign stylesheets are refused.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(overTls: boolean, nonce: string): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    ...(overTls ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
