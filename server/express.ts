// The Node web server: Express serves public/ and hands every other request (as a Fetch Request) to the web
// handler chain of server/web.ts. Malformed requests get a 4xx; no request can throw outside a handler.
import compression from "compression";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { createServer, type Server } from "node:http";
import { sendRemixResponse } from "@remix-run/express/dist/server";
import { settleUnreadBody, toFetchRequest } from "./node-request";
import { cameOverTls, newCspNonce, securityHeaders } from "./security-headers";
import type { WebHandler } from "./web";

const withSecurityHeaders: RequestHandler = (req, res, next) => {
  const headers = new Headers(req.headers as Record<string, string>);
  res.locals.cspNonce = newCspNonce();
  res.set(securityHeaders(cameOverTls(req.secure ? "https:" : "http:", headers), res.locals.cspNonce));
  next();
};

/** Server-sent events go out unbuffered: compression would hold them until its buffer fills. */
function compressible(req: express.Request, res: express.Response): boolean {
  if (String(res.getHeader("Content-Type") ?? "").includes("text/event-stream")) return false;
  return compression.filter(req, res);
}

function toFetch(handler: WebHandler): RequestHandler {
  return (req, res, next) => {
    let request: Request;
    try {
      request = toFetchRequest(req, res);
    } catch {
      res.status(400).type("text/plain").send("Bad Request");
      return;
    }
    handler(request, res.locals.cspNonce as string)
      .then(async (response) => {
        await settleUnreadBody(req, res);
        await sendRemixResponse(res, response);
      })
      .catch(async (error: unknown) => {
        await settleUnreadBody(req, res);
        next(error);
      });
  };
}

export function createHttpServer(opts: {
  publicDir: string;
  handler: WebHandler;
  onError: (error: unknown) => void;
}): Server {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", true);
  app.use(withSecurityHeaders);
  app.use(compression({ filter: compressible }));
  app.use(
    "/build",
    express.static(`${opts.publicDir}/build`, {
      immutable: true,
      maxAge: "1y",
      index: false,
      redirect: false,
    }),
  );
  app.use(express.static(opts.publicDir, { maxAge: "1h", index: false, redirect: false }));
  app.all("*", toFetch(opts.handler));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      if (!res.headersSent) res.status(status).type("text/plain").send("Bad Request");
      else res.end();
      return;
    }
    opts.onError(error);
    if (!res.headersSent) res.status(500).type("text/plain").send("Internal Server Error");
    else res.end();
  };
  app.use(onError);
  const server = createServer(app);
  // Longer than the usual proxy / client idle timeouts, so a client never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
