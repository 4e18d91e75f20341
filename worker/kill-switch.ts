// The kill switch's job (ADR 148): every open trade of the paused subscriptions closes at market, one worker
// per broker account at a time. Exchange trades go through the order machinery (their resting pair comes
// off first, then one market exit; reconciliation decides an ambiguous answer); paper trades close at once.
import type { Bus } from "../db/infra/bus";
import type { Lock } from "../db/infra/lock";
import { withLock } from "../db/infra/with-lock";
import type { Logger } from "../db/platform/logger.server";
import { newId } from "../db/platform/ids";
import type { Db } from "../db/store/client";
import { closeAllJobSchema, type CloseAllJob } from "../db/contracts/jobs";
import {
  countExecutionsStartedBefore,
  listTradesToClose,
  recordCloseAll,
  type TradeToClose,
} from "../db/store/queries/kill-switch";
import type { NewOrder } from "../db/store/queries/executions";
import { clientOrderId } from "./brokers/client-order-id";
import { closeTrade, DEFAULT_PAPER_CONFIG, fillExit, type PaperConfig } from "./brokers/paper";
import type { ExchangeAccess } from "./exchange-access";
import { publishEvents } from "./jobs/publish-events";

const LOCK_TTL_MS = 30_000;

export const killSwitchLockKey = (brokerAccountId: string) => `kill-switch:${brokerAccountId}`;

/** The job goes back to the queue (pg-boss retries it): nothing it did is lost, nothing is done twice. */
export class CloseAllRetryError extends Error {}

export interface CloseAllOutcome {
  closed: number;
  exitOrders: number;
}

export function createKillSwitch(deps: {
  db: Db;
  lock: Lock;
  bus: Bus;
  exchange: Pick<ExchangeAccess, "sendOrders">;
  /** The deployment's clock: closes are stamped on it, as candle closes are. */
  clock: { now(): number };
  logger: Logger;
  paper?: PaperConfig;
}) {
  const paper = deps.paper ?? DEFAULT_PAPER_CONFIG;

  async function closeAccount(job: CloseAllJob, logger: Logger): Promise<CloseAllOutcome> {
    const trades = await listTradesToClose(deps.db, job.subscriptionIds);
    const runId = newId();
    const closes = trades.map((t) => {
      const { exitFee, pnl, exitPrice } = closeTrade(
        { ...t, entryFee: t.entryFee ?? undefined },
        fillExit(t.side, t.latestPrice, paper),
        "kill_switch",
        paper,
      );
      return { tradeId: t.id, subscriptionId: t.subscriptionId, exitPrice, exitFee, pnl };
    });
    const orders = trades.filter((t) => t.brokerKind === "exchange").map((t) => exitOrder(t, runId));
    const { closed, events } = await recordCloseAll(deps.db, {
      runId,
      closedAt: deps.clock.now(),
      closes,
      orders,
    });
    await publishEvents(deps.bus, events, logger);
    // Each exit takes its trade's resting pair off the exchange first (ExchangeAccess.cancelRestingOrders).
    if (orders.length > 0) await deps.exchange.sendOrders(runId, logger);
    logger.info({ closed, exitOrders: orders.length }, "kill switch: open trades closed");
    return { closed, exitOrders: orders.length };
  }

  /** Runs one close-all job; throws CloseAllRetryError when it must run again later. */
  return async function closeAll(data: unknown): Promise<CloseAllOutcome | null> {
    const parsed = closeAllJobSchema.safeParse(data);
    if (!parsed.success) {
      deps.logger.error(
        { issues: parsed.error.issues },
        "kill switch: dropped a job with an invalid payload",
      );
      return null;
    }
    const job = parsed.data;
    const logger = deps.logger.child({ requestId: job.requestId, brokerAccountId: job.brokerAccountId });
    const outcome = await withLock(deps.lock, killSwitchLockKey(job.brokerAccountId), LOCK_TTL_MS, () =>
      closeAccount(job, logger),
    );
    if (!outcome.acquired)
      throw new CloseAllRetryError("another worker is closing this account's positions; retried");
    // An execution that read the subscriptions before the pause may still open a trade: run again after it.
    if ((await countExecutionsStartedBefore(deps.db, job.subscriptionIds, job.pausedAt)) > 0)
      throw new CloseAllRetryError("an execution that started before the pause still runs; retried");
    return outcome.value;
  };
}

function exitOrder(t: TradeToClose, runId: string): NewOrder {
  return {
    id: newId(),
    tradeId: t.id,
    brokerAccountId: t.brokerAccountId,
    leg: "close",
    clientOrderId: clientOrderId(t.id, runId, "close"),
    symbol: t.symbol,
    side: t.side === "LONG" ? ("sell" as const) : ("buy" as const),
    quantity: t.quantity,
    referencePrice: t.latestPrice,
  };
}
