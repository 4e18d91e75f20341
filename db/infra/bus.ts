// The pub/sub event bus interface (JSON messages on named channels) and the handler registry both implementations share.
import type { InfraLogger } from "./logger";

export type MessageHandler = (message: unknown) => void;
export type Unsubscribe = () => Promise<void>;

export type Bus = {
  /** message must be JSON-serialisable; subscribers get a parsed copy, never the publisher's object. */
  publish(channel: string, message: unknown): Promise<void>;
  /** Resolves once delivery to handler is live. */
  subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe>;
  close(): Promise<void>;
};

type Subscription = { handler: MessageHandler };

/** Channel -> handlers; tells the caller when a channel gains its first or loses its last handler. */
export class ChannelHandlers {
  private readonly byChannel = new Map<string, Set<Subscription>>();

  constructor(private readonly logger: InfraLogger) {}

  /** Each call is its own subscription, even for the same handler function. */
  add(channel: string, handler: MessageHandler): { subscription: Subscription; first: boolean } {
    let subscriptions = this.byChannel.get(channel);
    const first = !subscriptions;
    if (!subscriptions) this.byChannel.set(channel, (subscriptions = new Set()));
    const subscription = { handler };
    subscriptions.add(subscription);
    return { subscription, first };
  }

  /** True when it was the channel's last subscription. */
  remove(channel: string, subscription: Subscription): boolean {
    const subscriptions = this.byChannel.get(channel);
    if (!subscriptions?.delete(subscription)) return false;
    if (subscriptions.size > 0) return false;
    this.byChannel.delete(channel);
    return true;
  }

  clear(): void {
    this.byChannel.clear();
  }

  /** Parses once per handler so handlers cannot see each other's mutations; a throwing handler does not stop the others. */
  dispatch(channel: string, text: string): void {
    for (const { handler } of [...(this.byChannel.get(channel) ?? [])]) {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch (error) {
        this.logger.warn({ channel, error: String(error) }, "bus: dropped a message that is not JSON");
        return;
      }
      try {
        handler(message);
      } catch (error) {
        this.logger.error({ channel, error }, "bus: a message handler threw");
      }
    }
  }
}
