// A TCP forwarder on a port of our choosing: a dependency that "comes up" when the test starts it, and whose
// connections the test can cut.
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpForwarder {
  port: number;
  /** Starts accepting on the port (again). */
  start(): Promise<void>;
  /** Stops accepting and cuts every connection. */
  stop(): Promise<void>;
}

export function createTcpForwarder(port: number, target: { host: string; port: number }): TcpForwarder {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("error", () => s.destroy());
    s.on("close", () => sockets.delete(s));
  };
  return {
    port,
    async start() {
      server = createServer((client) => {
        const upstream = createConnection(target);
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, "127.0.0.1", resolve);
      });
    },
    async stop() {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise((resolve) => s.close(resolve));
    },
  };
}
