// Redis pub/sub bus: publishes on the shared client, multiplexes all handlers over one subscriber connection.
import type { Redis } from "ioredis";
import { ChannelHandlers, type Bus } from "./bus";
import { encodeJson } from "./json";
import type { InfraLogger } from "./logger";

export type RedisBusOptions = {
  publisher: Redis;
  /** Called once, on the first subscribe: a connection in subscriber mode can run no other commands. */
  connectSubscriber: () => Promise<Redis>;
  /** ioredis keyPrefix does not apply to channels, so the bus adds it. */
  channelPrefix: string;
  logger: InfraLogger;
};

export function createRedisBus(options: RedisBusOptions): Bus {
  const { publisher, channelPrefix } = options;
  const handlers = new ChannelHandlers(options.logger);
  let subscriber: Promise<Redis> | undefined;
  // A second handler on a channel must also wait for the first one's SUBSCRIBE to be confirmed.
  const subscribed = new Map<string, Promise<unknown>>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const getSubscriber = () => {
    if (!subscriber) {
      // ioredis re-sends SUBSCRIBE for every channel after a reconnect (autoResubscribe, on by default).
      subscriber = options.connectSubscriber().then((connection) => {
        connection.on("message", (fullChannel: string, text: string) => {
          if (fullChannel.startsWith(channelPrefix))
            handlers.dispatch(fullChannel.slice(channelPrefix.length), text);
        });
        return connection;
      });
      subscriber.catch(() => (subscriber = undefined));
    }
    return subscriber;
  };

  return {
    async publish(channel, message) {
      if (closed) throw new Error("bus is closed");
      await publisher.publish(channelPrefix + channel, encodeJson(message));
    },
    async subscribe(channel, handler) {
      if (closed) throw new Error("bus is closed");
      const { subscription, first } = handlers.add(channel, handler);
      if (first)
        subscribed.set(
          channel,
          getSubscriber().then((c) => c.subscribe(channelPrefix + channel)),
        );
      try {
        await subscribed.get(channel);
      } catch (error) {
        if (handlers.remove(channel, subscription)) subscribed.delete(channel);
        throw error;
      }
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        if (handlers.remove(channel, subscription) && !closed) {
          subscribed.delete(channel);
          await (await getSubscriber()).unsubscribe(channelPrefix + channel);
        }
      };
    },
    close() {
      closed = true;
      closing ??= (async () => {
        handlers.clear();
        subscribed.clear();
        const connection = await subscriber?.catch(() => undefined);
        await connection?.quit();
      })();
      return closing;
    },
  };
}
