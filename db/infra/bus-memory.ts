// In-process bus for the embedded one-process mode: asynchronous fan-out with the same JSON copy semantics as Redis.
import { ChannelHandlers, type Bus } from "./bus";
import { encodeJson } from "./json";
import type { InfraLogger } from "./logger";

export function createMemoryBus(options: { logger: InfraLogger }): Bus {
  const handlers = new ChannelHandlers(options.logger);
  let closed = false;

  return {
    async publish(channel, message) {
      if (closed) throw new Error("bus is closed");
      const text = encodeJson(message);
      // Never inside publish's own call stack, as with Redis: a handler cannot re-enter the publisher.
      queueMicrotask(() => handlers.dispatch(channel, text));
    },
    async subscribe(channel, handler) {
      if (closed) throw new Error("bus is closed");
      const { subscription } = handlers.add(channel, handler);
      return async () => {
        handlers.remove(channel, subscription);
      };
    },
    async close() {
      closed = true;
      handlers.clear();
    },
  };
}
