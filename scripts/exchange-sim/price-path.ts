// The price between candle closes: each candle walks open -> low -> high -> close (a falling one open -> high -> low -> close).
import { RESOLUTION_MS, type Candle, type Resolution } from "../../db/contracts/domain";
import type { CandleSource } from "./candle-source";

/** A straight piece of the path; a jump between one close and the next open has t0 === t1. */
export interface PathSegment {
  t0: number;
  p0: number;
  t1: number;
  p1: number;
}

/** Longest stretch of path read at once (a simulator restarted after a long stop catches up this far). */
const MAX_SPAN_MS = 24 * 3_600_000;

/** Orders match on the path through the finest candles the source serves: the most detailed one. */
function matchingResolution(source: CandleSource) {
  const finest = [...source.resolutions].sort((a, b) => RESOLUTION_MS[a] - RESOLUTION_MS[b])[0];
  return source.pathResolution(finest);
}

/** The path's vertices over the candles of `resolution` with open time in [from, to] (aligned), oldest first. */
function vertices(
  source: CandleSource,
  symbol: string,
  resolution: Resolution,
  from: number,
  to: number,
): [number, number][] {
  const ms = RESOLUTION_MS[resolution];
  const points: [number, number][] = [];
  for (const c of source.candles(symbol, resolution, Math.floor(from / ms) * ms, Math.floor(to / ms) * ms)) {
    const [first, second] = c.close >= c.open ? [c.low, c.high] : [c.high, c.low];
    points.push(
      [c.time, c.open],
      [c.time + ms / 3, first],
      [c.time + (2 * ms) / 3, second],
      [c.time + ms, c.close],
    );
  }
  return points;
}

/** The price at t between two vertices a and b (a jump, a[0] === b[0], is at b's price). */
const interpolate = (a: [number, number], b: [number, number], t: number) =>
  b[0] === a[0] ? b[1] : a[1] + ((b[1] - a[1]) * (t - a[0])) / (b[0] - a[0]);

/**
 * The path's pieces covering (from, to], cut at both ends; at most a day back from `to`. It walks the
 * candles of `resolution` (the matching path's by default).
 */
export function pathSegments(
  source: CandleSource,
  symbol: string,
  from: number,
  to: number,
  resolution = matchingResolution(source),
): PathSegment[] {
  const start = Math.max(from, to - MAX_SPAN_MS);
  if (to <= start) return [];
  const points = vertices(source, symbol, resolution, start, to);
  const segments: PathSegment[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (b[0] <= start || a[0] > to) continue;
    const t0 = Math.max(a[0], start);
    const t1 = Math.min(b[0], to);
    const p0 = a[0] === b[0] ? a[1] : interpolate(a, b, t0);
    const segment = { t0, p0, t1, p1: interpolate(a, b, t1) };
    if (segment.t1 > segment.t0 || segment.p1 !== segment.p0) segments.push(segment);
  }
  return segments;
}

/** The price at time t on the path of the candle in progress (of `resolution`: the matching path's by default). */
export function priceAt(
  source: CandleSource,
  symbol: string,
  t: number,
  resolution = matchingResolution(source),
): number {
  const points = vertices(source, symbol, resolution, t, t);
  const next = points.findIndex(([time]) => time >= t);
  if (next <= 0) return points[Math.max(next, 0)][1];
  return interpolate(points[next - 1], points[next], t);
}

/**
 * The candle in progress at `now` as formed so far (ADR 122): its open, the path's price now as the
 * close, the path's extremes since the open, the volume pro rata of the time gone. At its close it is
 * the final candle: the path through a candle reaches its high and low and ends at its close.
 */
export function formingCandle(
  source: CandleSource,
  symbol: string,
  resolution: Resolution,
  final: Candle,
  now: number,
): Candle {
  const path = source.pathResolution(resolution);
  const close = priceAt(source, symbol, now, path);
  let high = Math.max(final.open, close);
  let low = Math.min(final.open, close);
  for (const s of pathSegments(source, symbol, final.time, now, path)) {
    high = Math.max(high, s.p0, s.p1);
    low = Math.min(low, s.p0, s.p1);
  }
  const elapsed = (now - final.time) / RESOLUTION_MS[resolution];
  return { time: final.time, open: final.open, high, low, close, volume: final.volume * elapsed };
}
