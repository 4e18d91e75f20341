// A Node request as the Fetch Request the web handler reads, and what happens to a body the app refused
// part-way. @remix-run/express's body stream destroys the socket when the app stops reading (a body over
// its limit), so the 413 was followed by a reset and the next request on that keep-alive connection failed.
// Here the rest of such a body is read and discarded within a bound, then the connection is reused; past
// the bound the answer says Connection: close and the socket closes only after the client stopped sending.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type express from "express";

/** Discarded after an early answer, at most, before the connection is given up (then closed, not reused). */
const DRAIN_LIMITS = { bytes: 4 * 1024 * 1024, ms: 5_000 };
/** How long a closing connection keeps reading (and discarding) what the client still sends. */
const LINGER_MS = 5_000;

/**
 * The body as a pull stream: nothing is read before the app asks (highWaterMark 0), one chunk per read,
 * and a cancel only stops listening (the request is left paused for `settleUnreadBody`).
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let pending: ReadableStreamDefaultController<Uint8Array> | null = null;
  let listening = false;
  const onData = (chunk: Buffer) => {
    req.pause();
    pending?.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
  const onEnd = () => {
    detach();
    pending?.close();
  };
  const onError = (error: Error) => {
    detach();
    pending?.error(error);
  };
  function detach() {
    req.off("data", onData);
    req.off("end", onEnd);
    req.off("error", onError);
  }
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pending = controller;
        if (!listening) {
          listening = true;
          req.on("data", onData);
          req.once("end", onEnd);
          req.once("error", onError);
        }
        req.resume();
      },
      cancel() {
        pending = null;
        detach();
        req.pause();
      },
    },
    { highWaterMark: 0 },
  );
}

/** As @remix-run/express builds it: the host Express trusts (X-Forwarded-Host behind the proxy) with the port sent beside it. */
function requestUrl(req: express.Request): string {
  const ports = [req.get("x-forwarded-host"), req.get("host")].map((h) =>
    Number.parseInt(h?.split(":")[1] ?? "", 10),
  );
  const port = ports.find((p) => Number.isSafeInteger(p));
  return new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`).href;
}

export function toFetchRequest(req: express.Request, res: express.Response): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
      headers.append(name, v);
  }
  // Aborts the handler when the client goes away before the answer was sent.
  const controller = new AbortController();
  let finished = false;
  res.on("finish", () => (finished = true));
  res.on("close", () => finished || controller.abort());
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(requestUrl(req), {
    method: req.method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
  });
}

/** A closing socket: the answer's FIN first, then reading on until the client closes or LINGER_MS pass, so the client reads the answer rather than a reset. */
function lingerOnClose(socket: Socket) {
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

/**
 * Called before the answer goes out. A body the app did not read to its end (refused as too large, or
 * not needed) is discarded up to DRAIN_LIMITS; read whole, the connection stays usable; otherwise the
 * answer closes it (cleanly, see lingerOnClose).
 */
export async function settleUnreadBody(req: IncomingMessage, res: express.Response): Promise<void> {
  if (req.complete || req.destroyed) return;
  req.removeAllListeners("data");
  let discarded = 0;
  const drained = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), DRAIN_LIMITS.ms);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    req.on("data", (chunk: Buffer) => {
      discarded += chunk.byteLength;
      if (discarded > DRAIN_LIMITS.bytes) done(false);
    });
    req.once("end", () => done(true));
    req.once("error", () => done(false));
    req.resume();
  });
  if (drained) return;
  if (!res.headersSent) res.setHeader("Connection", "close");
  lingerOnClose(req.socket);
}
