// Builds the stores the multi-process tests and benches run on, and checks the exactly-once invariants afterwards.
import { sql } from "drizzle-orm";
import type { Store } from "../../../db/store/client";
import { RESOLUTION_MS } from "../../../db/contracts/domain";
import { insertStrategy, insertSubscriptions, insertUser } from "../store";
import { latestClose } from "../../../worker/boundaries";
import type { CandleJob } from "../../../worker/candle-jobs";

export interface Scenario {
  strategies: { id: string; versionId: string }[];
  /** Every due key, oldest close first within a strategy. */
  keys: CandleJob[];
}

/**
 * A marketplace's worth of authors: each has this many strategies, far inside its sandbox time per close
 * (ADR 176), so every key runs.
 */
export const STRATEGIES_PER_AUTHOR = 10;

/** `strategies` strategies on 1m candles with `subscribers` subscriptions each, due at the last `closes` closes. */
export async function buildScenario(
  store: Store,
  opts: { strategies: number; subscribers: number; closes: number; code: string; now?: number },
): Promise<Scenario> {
  const strategies = [];
  const run = Math.random().toString(36).slice(2, 8);
  let author = { id: "" };
  for (let i = 0; i < opts.strategies; i++) {
    if (i % STRATEGIES_PER_AUTHOR === 0)
      author = await insertUser(store, `author-${i / STRATEGIES_PER_AUTHOR}`);
    const s = await insertStrategy(store, author.id, {
      code: opts.code,
      resolution: "1m",
      slug: `s-${run}-${i}`,
    });
    await insertSubscriptions(store, s.id, opts.subscribers);
    strategies.push(s);
  }
  return { strategies, keys: dueKeys(strategies, opts.closes, opts.now) };
}

export function dueKeys(
  strategies: { id: string }[],
  closes: number,
  now = Date.now(),
  offset = 0,
): CandleJob[] {
  const last = latestClose(now, "1m") - offset * RESOLUTION_MS["1m"];
  if (closes === 0) return [];
  return strategies.flatMap((s) =>
    Array.from({ length: closes }, (_, k) => ({
      strategyId: s.id,
      symbol: "BTC/USDT",
      resolution: "1m" as const,
      closeTime: last - (closes - 1 - k) * RESOLUTION_MS["1m"],
    })),
  );
}

const keyOf = (k: { strategyId: string; symbol: string; resolution: string; closeTime: number }) =>
  `${k.strategyId}|${k.symbol}|${k.resolution}|${k.closeTime}`;

export interface InvariantReport {
  byStatus: Record<string, number>;
  /** Keys with no terminal execution row. */
  notTerminal: string[];
  problems: string[];
}

/**
 * Exactly once and nothing half-written: one terminal row per due key and no other; each row's trades
 * and events are all there (or, for a row the janitor finished, none); subscription metrics match their trades.
 * A trade opened at the commit may be `rejected` later, when its exchange entry never filled.
 */
export async function checkInvariants(store: Store, keys: CandleJob[]): Promise<InvariantReport> {
  const problems: string[] = [];
  const rows = await store.db.all<{
    id: string;
    strategy_id: string;
    symbol: string;
    resolution: string;
    close_time: number;
    status: string;
    error_kind: string | null;
    subscriber_count: number;
    trades_created: number;
    opened: number;
    rows_written: number;
    events: number;
  }>(sql`
    SELECT e.id, e.strategy_id, e.symbol, e.resolution, e.close_time, e.status, e.error_kind, e.subscriber_count,
      e.trades_created, coalesce(t.opened, 0) AS opened, coalesce(t.rows_written, 0) AS rows_written,
      coalesce(v.events, 0) AS events
    FROM executions e
    -- Grouped once, not a scan of the outbox per execution: a chaos run has thousands of both.
    LEFT JOIN (SELECT execution_id, count(*) AS rows_written,
                 sum(status IN ('open', 'closed', 'rejected')) AS opened
               FROM trades GROUP BY execution_id) t ON t.execution_id = e.id
    LEFT JOIN (SELECT json_extract(payload, '$.executionId') AS execution_id, count(*) AS events
               FROM events WHERE type = 'execution' GROUP BY 1) v ON v.execution_id = e.id`);
  const wanted = new Set(keys.map(keyOf));
  const seen = new Map<string, number>();
  const byStatus: Record<string, number> = {};
  for (const r of rows) {
    const key = keyOf({
      strategyId: r.strategy_id,
      symbol: r.symbol,
      resolution: r.resolution,
      closeTime: Number(r.close_time),
    });
    seen.set(key, (seen.get(key) ?? 0) + 1);
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    if (!wanted.has(key)) problems.push(`execution ${r.id} is for a key nobody scheduled: ${key}`);
    if (Number(r.opened) !== Number(r.trades_created)) {
      problems.push(`execution ${r.id} (${r.status}) says ${r.trades_created} trades, has ${r.opened}`);
    }
    const finishedByCoordinator =
      r.status === "COMPLETED" ||
      (r.status === "FAILED" && r.error_kind !== "stuck" && r.error_kind !== "internal");
    if (finishedByCoordinator && Number(r.events) !== Number(r.subscriber_count)) {
      problems.push(
        `execution ${r.id} (${r.status}) has ${r.events} events for ${r.subscriber_count} subscribers`,
      );
    }
    if (!finishedByCoordinator && (Number(r.events) !== 0 || Number(r.rows_written) !== 0)) {
      problems.push(
        `execution ${r.id} (${r.status}/${r.error_kind}) has ${r.events} events and ${r.rows_written} trades`,
      );
    }
  }
  for (const [key, n] of seen) if (n > 1) problems.push(`${n} executions for ${key}`);
  const notTerminal = keys.map(keyOf).filter(
    (k) =>
      !seen.has(k) ||
      rows.some(
        (r) =>
          r.status === "RUNNING" &&
          keyOf({
            strategyId: r.strategy_id,
            symbol: r.symbol,
            resolution: r.resolution,
            closeTime: Number(r.close_time),
          }) === k,
      ),
  );

  const doubled = await store.db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM (SELECT execution_id, subscription_id FROM trades GROUP BY 1, 2 HAVING count(*) > 1)`,
  );
  if (Number(doubled[0].n) > 0)
    problems.push(`${doubled[0].n} (execution, subscription) pairs with more than one trade`);

  const metrics = await store.db.all<{
    id: string;
    trades_count: number;
    wins: number;
    losses: number;
    total_pnl: number;
    n: number;
    closed: number;
    pnl: number;
  }>(sql`
    SELECT s.id, s.trades_count, s.wins, s.losses, s.total_pnl,
      (SELECT count(*) FROM trades t WHERE t.subscription_id = s.id AND t.status IN ('open', 'closed')) AS n,
      (SELECT count(*) FROM trades t WHERE t.subscription_id = s.id AND t.status = 'closed') AS closed,
      (SELECT coalesce(sum(pnl), 0) FROM trades t WHERE t.subscription_id = s.id AND t.status = 'closed') AS pnl
    FROM subscriptions s`);
  for (const m of metrics) {
    if (Number(m.trades_count) !== Number(m.n))
      problems.push(`subscription ${m.id}: trades_count ${m.trades_count} but ${m.n} trades`);
    if (Number(m.wins) + Number(m.losses) !== Number(m.closed))
      problems.push(`subscription ${m.id}: wins+losses != ${m.closed} closed`);
    if (Math.abs(Number(m.total_pnl) - Number(m.pnl)) > 1e-6)
      problems.push(`subscription ${m.id}: total_pnl ${m.total_pnl} != ${m.pnl}`);
  }
  return { byStatus, notTerminal, problems };
}

/** Polls the invariants until every key is terminal; `onTick` runs between polls (a janitor, say). */
export async function waitUntilTerminal(
  store: Store,
  keys: CandleJob[],
  opts: { timeoutMs?: number; everyMs?: number; onTick?: () => Promise<unknown> } = {},
): Promise<InvariantReport> {
  return vi.waitFor(
    async () => {
      const report = await checkInvariants(store, keys);
      if (report.notTerminal.length === 0) return report;
      await opts.onTick?.();
      throw new Error(`${report.notTerminal.length} of ${keys.length} keys never became terminal`);
    },
    { timeout: opts.timeoutMs ?? 90_000, interval: opts.everyMs ?? 300 },
  );
}
