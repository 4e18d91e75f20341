// The positions check (ADR 147): each exchange account's balances against what its open trades say.
// A difference is recorded, logged and counted, never "fixed"; a matching check clears it.
import type { Db } from "../../db/store/client";
import type { Lock } from "../../db/infra/lock";
import { withLock } from "../../db/infra/with-lock";
import type { Logger } from "../../db/platform/logger.server";
import {
  listExchangeAccountsToCheck,
  readAccountBook,
  readPositionChecks,
  savePositionChecks,
  type AccountBook,
} from "../../db/store/queries/position-checks";
import type { ExchangeAccess } from "../exchange-access";
import type { WorkerMetrics } from "../metrics";
import { baseAsset, checkAsset } from "./holdings";

/** Per account: assets that match, differ, or were left for the next round (orders in flight, the exchange unreachable). */
export type CheckOutcome = "match" | "mismatch" | "deferred" | "failed" | "locked";

const LOCK_TTL_MS = 30_000;

export function createPositionsCheck(deps: {
  db: Db;
  lock: Lock;
  exchange: Pick<ExchangeAccess, "fetchBalances">;
  logger: Logger;
  metrics: WorkerMetrics;
}) {
  const count = (outcome: CheckOutcome, by = 1) => deps.metrics.positionChecks.inc({ outcome }, by);

  async function checkAccount(id: string, symbols: string[], now: number) {
    const assets = [...new Set(symbols.map(baseAsset))];
    const before = await readAccountBook(deps.db, id);
    let balances: Record<string, number>;
    try {
      balances = await deps.exchange.fetchBalances(id);
    } catch (error) {
      deps.logger.warn({ err: error, brokerAccountId: id }, "positions check: the exchange did not answer");
      return count("failed", assets.length);
    }
    // A fill recorded while the balances were read would compare one moment's trades with another's.
    const after = await readAccountBook(deps.db, id);
    const settled = JSON.stringify(before) === JSON.stringify(after);
    const busy = (asset: string) => !settled || inFlight(after, asset);
    const previous = new Map((await readPositionChecks(deps.db, id)).map((r) => [r.asset, r]));
    const rows = assets
      .filter((asset) => !busy(asset))
      .map((asset) =>
        checkAsset({
          accountId: id,
          asset,
          book: after,
          found: balances[asset] ?? 0,
          previous: previous.get(asset),
          now,
        }),
      );
    count("deferred", assets.length - rows.length);
    await savePositionChecks(deps.db, rows);
    for (const row of rows) {
      count(row.differs ? "mismatch" : "match");
      const fields = { brokerAccountId: id, asset: row.asset, expected: row.expected, found: row.found };
      if (row.differs)
        deps.logger.warn(
          fields,
          "positions check: the exchange holds another quantity than the open trades say",
        );
      else if (previous.get(row.asset)?.differs)
        deps.logger.info(fields, "positions check: the difference is gone");
    }
  }

  /** Checks every exchange account that trades, one worker per account at a time. */
  return async function checkPositions(now = Date.now()) {
    for (const { id, symbols } of await listExchangeAccountsToCheck(deps.db)) {
      try {
        const outcome = await withLock(deps.lock, `positions-check:${id}`, LOCK_TTL_MS, () =>
          checkAccount(id, symbols, now),
        );
        if (!outcome.acquired) count("locked");
      } catch (error) {
        deps.logger.error({ err: error, brokerAccountId: id }, "positions check of an account failed");
        count("failed");
      }
    }
  };
}

const inFlight = (book: AccountBook, asset: string) => book.inFlight.some((s) => baseAsset(s) === asset);
