// Counted places under a cap, shared by every process of a deployment (the per-user event-stream cap, ADR 158).
// Each place lapses unless its holder renews it, so a process killed while holding places frees them by itself.

export type SeatPlace = { key: string; holder: string };

export type Seats = {
  /**
   * Takes a place for `holder` under `key` when fewer than `cap` live places are held there; false when full.
   * Idempotent per holder (a resent take of a place already held renews it).
   */
  take(place: SeatPlace, cap: number, ttlMs: number): Promise<boolean>;
  /** Renews the places for another ttlMs, taking back any that lapsed or were deleted, whatever the cap. */
  renew(places: SeatPlace[], ttlMs: number): Promise<void>;
  release(place: SeatPlace): Promise<void>;
  /** The live places under key. */
  count(key: string): Promise<number>;
};
