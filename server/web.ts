// Builds the web app's request handler from a Remix build and the app context (Node entry).
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import type { AppContext } from "../app/context.server";
import { cacheAnonymousPages } from "./anonymous-page-cache";

export function createWebHandler(build: ServerBuild, app: AppContext, mode: string) {
  const handle = createRequestHandler(build, mode);
  return cacheAnonymousPages((request: Request) => handle(request, { app }));
}
