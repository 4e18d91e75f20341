// Candle-boundary arithmetic and the catch-up policy, as pure functions of (simulated) time.
import { RESOLUTION_MS, type Resolution } from "../db/contracts/domain";

/** Catch-up looks back at most this many closes of a key... */
export const MISSED_LOOKBACK_CLOSES = 100;
/** ...and never further back than this (docs/decisions/041). */
export const MISSED_LOOKBACK_MAX_MS = 24 * 3_600_000;

/** The latest close at or before `now`. */
export const latestClose = (now: number, resolution: Resolution) =>
  Math.floor(now / RESOLUTION_MS[resolution]) * RESOLUTION_MS[resolution];

/** The first boundary strictly after `now` among `resolutions` (null when there are none). */
export function nextBoundary(now: number, resolutions: Iterable<Resolution>): number | null {
  let next: number | null = null;
  for (const r of resolutions) {
    const candidate = latestClose(now, r) + RESOLUTION_MS[r];
    if (next === null || candidate < next) next = candidate;
  }
  return next;
}

/** Closes of `resolution` in (after, upTo], oldest first, at most `limit` (the newest ones). */
export function closesBetween(
  after: number,
  upTo: number,
  resolution: Resolution,
  limit = Infinity,
): number[] {
  const ms = RESOLUTION_MS[resolution];
  const last = latestClose(upTo, resolution);
  const closes: number[] = [];
  for (let c = last; c > after && closes.length < limit; c -= ms) closes.push(c);
  return closes.reverse();
}

/**
 * A close is missed once a newer close of its key is due AND it is older than `missedAfterMs`
 * (a grace, in simulated ms, for jobs still queued behind a busy boundary). A missed close is
 * recorded SKIPPED, never executed: a signal on a stale candle would trade at a price long gone.
 */
export function isMissed(
  closeTime: number,
  resolution: Resolution,
  now: number,
  missedAfterMs: number,
): boolean {
  return closeTime < latestClose(now, resolution) && now - closeTime >= missedAfterMs;
}

export interface CatchUpWindow {
  /** Inclusive start of the closes catch-up considers. */
  from: number;
  /** The latest due close: executed (its job enqueued), never skipped. */
  latest: number;
}

/** How often the catch-up sweep runs (its pg-boss cron, PERIODIC in db/contracts/queues-and-channels.ts: every minute). */
export const CATCH_UP_EVERY_REAL_MS = 60_000;

/**
 * How far back (simulated ms) a sweep must look so that every close is seen by some sweep after its
 * grace and before it leaves the window: the grace plus two sweep periods, whatever the scale (ADR 152).
 */
export const catchUpReach = (missedAfterMs: number, scale: number) =>
  missedAfterMs + 2 * CATCH_UP_EVERY_REAL_MS * scale;

/**
 * The closes catch-up looks at for one key: after the key became active (`since`), within the
 * bounded lookback (but never less than `reach`), up to the latest due close.
 */
export function catchUpWindow(now: number, resolution: Resolution, since: number, reach = 0): CatchUpWindow {
  const latest = latestClose(now, resolution);
  const bounded = Math.min(MISSED_LOOKBACK_CLOSES * RESOLUTION_MS[resolution], MISSED_LOOKBACK_MAX_MS);
  return { from: Math.max(since, latest - Math.max(bounded, reach)), latest };
}

/** The closes in the window with no execution row that are missed by now (oldest first). */
export function missedCloses(
  window: CatchUpWindow,
  resolution: Resolution,
  executed: Iterable<number>,
  now: number,
  missedAfterMs: number,
): number[] {
  const done = new Set(executed);
  const ms = RESOLUTION_MS[resolution];
  const first = Math.ceil(window.from / ms) * ms;
  const missed: number[] = [];
  for (let c = first; c < window.latest; c += ms) {
    if (!done.has(c) && isMissed(c, resolution, now, missedAfterMs)) missed.push(c);
  }
  return missed;
}
