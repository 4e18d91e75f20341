// The web app's request handler (Node and Deno entries alike): Remix on the app context, behind the
// cross-site guard and the anonymous page cache.
import { createRequestHandler, type ServerBuild } from "@remix-run/server-runtime";
import type { AppContext } from "../app/context.server";
import { cacheAnonymousPages } from "./anonymous-page-cache";
import { rejectCrossSiteWrites } from "./cross-site-guard";

/** `cspNonce`: the nonce of this response's Content-Security-Policy, for Remix's inline scripts. */
export type WebHandler = (request: Request, cspNonce: string) => Promise<Response>;

export function createWebHandler(build: ServerBuild, app: AppContext, mode: string): WebHandler {
  const handle = createRequestHandler(build, mode);
  return rejectCrossSiteWrites(
    cacheAnonymousPages((request: Request, cspNonce: string) => handle(request, { app, cspNonce })),
  );
}
