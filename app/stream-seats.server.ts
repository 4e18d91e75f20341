// The per-user cap on open event streams, across every web replica (ADR 158): each open stream holds a place in
// the deployment's seats (Redis in distributed mode, in-process when embedded), renewed while it stays open, so
// the places of a replica that was killed lapse by themselves after the lease.
import type { InfraLogger } from "../db/infra/logger";
import type { SeatPlace, Seats } from "../db/infra/seats";

/** How long a stream's place outlives its replica's last renewal. */
export const STREAM_LEASE_MS = 30_000;
/** A seats call that has not answered by then admits the stream (the cap bounds abuse; live updates matter more). */
const TAKE_WAIT_MS = 1_000;

export interface StreamSeats {
  /** A place for one more stream of this user, or null when `cap` are open; call the answer when the stream ends. */
  take(userId: string, cap: number): Promise<(() => void) | null>;
  /** The open streams of this user across the deployment. */
  count(userId: string): Promise<number>;
  /** Stops renewing and frees this process's places (a clean shutdown). */
  close(): Promise<void>;
}

const keyOf = (userId: string) => `event-streams:${userId}`;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export function createStreamSeats(opts: {
  seats: Seats;
  logger: InfraLogger;
  leaseMs?: number;
}): StreamSeats {
  const { seats, logger } = opts;
  const leaseMs = opts.leaseMs ?? STREAM_LEASE_MS;
  const held = new Set<SeatPlace>();
  // Renewal also takes back places that Redis lost (a flush, a restart) or that were admitted while it was down.
  const renewal = setInterval(() => {
    if (held.size === 0) return;
    seats
      .renew([...held], leaseMs)
      .catch((error: Error) =>
        logger.warn({ error: error.message }, "event streams: renewing their places failed"),
      );
  }, leaseMs / 3);
  renewal.unref?.();

  const freeing = (place: SeatPlace) => () => {
    if (!held.delete(place)) return;
    seats
      .release(place)
      .catch((error: Error) =>
        logger.warn({ error: error.message }, "event streams: freeing a place failed"),
      );
  };

  return {
    async take(userId, cap) {
      const place = { key: keyOf(userId), holder: crypto.randomUUID() };
      try {
        if (!(await within(seats.take(place, cap, leaseMs), TAKE_WAIT_MS))) return null;
      } catch (error) {
        logger.warn(
          { error: (error as Error).message, userId },
          "event streams: the cap could not be checked; the stream is admitted and counted once the seats answer",
        );
      }
      held.add(place);
      return freeing(place);
    },
    count: (userId) => seats.count(keyOf(userId)),
    async close() {
      clearInterval(renewal);
      const places = [...held];
      held.clear();
      await within(Promise.all(places.map((p) => seats.release(p))), TAKE_WAIT_MS).catch(() => {});
    },
  };
}
