// The worker's composition root: builds its clients from config and passes them in (no singletons).
// Runs alone (`npm run worker`) or inside the embedded process (scripts/start.ts).
import { hostname } from "node:os";
import type PgBoss from "pg-boss";
import { openConfiguredStore, type Store } from "../db/store/client";
import { probeStoreWrite } from "../db/store/health-probe";
import { ConfigError, exitIfConfigError, loadConfigOrExit, type Config } from "../db/platform/config.server";
import { CHANNELS, PERIODIC, QUEUE_POLICIES, QUEUES } from "../db/contracts/queues-and-channels";
import type { Infra } from "../db/infra/index.server";
import type { Unsubscribe } from "../db/infra/bus";
import { createLifecycle, nodeProcess } from "../db/platform/lifecycle";
import { waitForDependency } from "../db/platform/wait-for-dependency";
import { createLogger, type Logger } from "../db/platform/logger.server";
import { anchorDeploymentClock } from "../db/store/queries/deployment-clock";
import { candleJobSchema, insertCandleJobs, type CandleJob } from "./candle-jobs";
import { createCatchUp } from "./catch-up";
import { createCoordinator, leavesCandleOpen, type CoordinatorStep } from "./coordinator";
import { createInfraWhenUp, createQueueWhenUp, openStoreWhenUp } from "./dependencies";
import { createExchangeAccess, ORDER_TIMING, type ExchangeAccess, type OrderTiming } from "./exchange-access";
import { createWorkerHttpServer } from "./http";
import { createJanitor } from "./janitor";
import { registerAuthorJobs, type RegisteredAuthorJobs } from "./jobs";
import type { MarketData } from "./market-data/market-data";
import { createPositionsCheck } from "./positions/check";
import { anchorOnExchangeClock } from "./market-data/exchange-clock";
import { createScaledClock, type ScaledClock } from "./market-data/scaled-clock";
import { createUpstream } from "./market-data/from-config.server";
import { createStoredFeed } from "./market-data/stored-feed";
import type { CandleUpstream } from "./market-data/upstream";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics";
import { createInFlight } from "./in-flight";
import { ensureQueues, type Queue } from "./queue";
import { createActiveCandleRegistry } from "./registry";
import { createWorkerRunners, type WorkerRunners } from "./runners";
import { exitIfSandboxUnavailable, type StrategyRunner } from "./runtime";
import { createBoundaryScheduler } from "./scheduler";
import { startTakeovers } from "./takeover";
import { announceJobs, createWorkLoops } from "./work-loops";

/** Tuning with production defaults; tests shorten the limits. */
export interface WorkerOptions {
  /** Candle jobs handled at once (pg-boss work loops). Default config.workerConcurrency. */
  concurrency: number;
  /** Sandboxed Python runs at once. Default: the number of CPUs. */
  runConcurrency?: number;
  /** Execution lock TTL and claim lease (both renewed every third of it while an execution runs, ADR 150). */
  lockTtlMs: number;
  /** An older close not executed within this many REAL ms is recorded missed instead (docs/decisions/041). */
  missedAfterRealMs: number;
  /** RUNNING executions whose lease lapsed this long ago (real ms) and nobody took over: FAILED by the janitor. */
  stuckAfterMs: number;
  /** pg-boss: a candle job active longer than this is failed and retried (the handler is idempotent). */
  candleJobExpireSeconds: number;
  /** pg-boss poll interval of idle work loops; enqueuers also wake them (notifyWorker, the bus). */
  pollingIntervalSeconds: number;
  /** How long stop() waits for running executions before abandoning them to the fences and the janitor. */
  stopTimeoutMs: number;
  /** Run the boundary timer in this process (every worker does by default; they race harmlessly). */
  scheduler: boolean;
  /** Run a catch-up sweep at start. */
  catchUpOnStart: boolean;
  /** Register the pg-boss cron schedules (registry rebuild, janitor, catch-up). */
  periodic: boolean;
  /** Take candle jobs (false: a scheduler-only process, or a test that only enqueues). */
  work: boolean;
  /** Handle the author jobs (validate, backtest) too. */
  authorJobs: boolean;
  /** How long the order reconciliation lets senders work (exchange-access.ts). */
  orderTiming: OrderTiming;
}

export interface WorkerDeps {
  config: Config;
  store: Store;
  infra: Infra;
  queue: Queue;
  logger: Logger;
  workerId?: string;
  clock?: ScaledClock;
  runner?: StrategyRunner;
  marketData?: MarketData;
  exchange?: ExchangeAccess;
  metrics?: WorkerMetrics;
  options?: Partial<WorkerOptions>;
  /** Tests pause or crash a worker at a step of an execution. */
  onStep?: (step: CoordinatorStep, job: CandleJob) => void | Promise<void>;
}

export interface RunningWorker {
  workerId: string;
  clock: ScaledClock;
  health(): Promise<{ ok: boolean; detail: string }>;
  /** Prometheus text format. */
  metrics(): string;
  /** Offers candle jobs to the queue (idempotent per candle); what the scheduler and catch-up call. */
  enqueue(jobs: CandleJob[]): Promise<void>;
  sweepCatchUp(): Promise<unknown>;
  sweepStuck(): Promise<string[]>;
  rebuildRegistry(): Promise<unknown>;
  /** Stops taking jobs, lets running ones finish within stopTimeoutMs, leaves clients open (the caller owns them). */
  stop(): Promise<void>;
}

/**
 * At TIME_SCALE > 1 a source with a clock of its own (the exchange simulator at the same --time-scale)
 * sets the time: closes are due when the exchange has them. The simulated market has none: the
 * deployment's clock is anchored once in the store (ADR 151), so every worker, started whenever, agrees
 * on which closes are due, and a restarted demo goes on where it stopped.
 */
export async function createWorkerClock(
  store: Store,
  scale: number,
  upstream?: Pick<CandleUpstream, "serverTime">,
): Promise<ScaledClock> {
  if (scale === 1) return createScaledClock({ scale });
  if (upstream?.serverTime)
    return createScaledClock({ scale, anchor: await anchorOnExchangeClock(upstream.serverTime, scale) });
  const real = Date.now();
  const anchored = await anchorDeploymentClock(store.db, scale, real);
  return createScaledClock({
    scale,
    anchor: { real: anchored.realAnchor, simulated: anchored.simulatedAnchor },
    since: anchored.simulatedStart,
  });
}

const DEFAULT_OPTIONS: Omit<WorkerOptions, "concurrency"> = {
  lockTtlMs: 30_000,
  missedAfterRealMs: 30_000,
  stuckAfterMs: 60_000,
  candleJobExpireSeconds: QUEUE_POLICIES[QUEUES.candle].expireInSeconds,
  pollingIntervalSeconds: 0.5,
  stopTimeoutMs: 20_000,
  scheduler: true,
  catchUpOnStart: true,
  periodic: true,
  work: true,
  authorJobs: true,
  orderTiming: ORDER_TIMING,
};

/** How long a burst of subscription or strategy changes (a bulk pause) is coalesced into one registry rebuild. */
const REBUILD_COALESCE_MS = 100;

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const { config, store, infra, logger } = deps;
  const boss: PgBoss = deps.queue.boss;
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}`;
  const options: WorkerOptions = {
    concurrency: config.workerConcurrency,
    ...DEFAULT_OPTIONS,
    ...deps.options,
  };
  const upstream = deps.marketData ? undefined : createUpstream(config.marketData);
  const clock =
    deps.clock ??
    (await waitForDependency(
      "the store (DATABASE_URL), for the deployment clock",
      () => createWorkerClock(store, config.timeScale, upstream),
      { logger, fatal: (error) => error instanceof ConfigError },
    ));
  const metrics = deps.metrics ?? createWorkerMetrics();
  const runners: WorkerRunners = deps.runner
    ? {
        candles: deps.runner,
        authorJobs:
          options.authorJobs && options.work ? { validate: deps.runner, backtest: deps.runner } : null,
        close: async () => {},
      }
    : await createWorkerRunners({
        python: config.python,
        sandbox: config.sandbox,
        runConcurrency: options.runConcurrency,
        authorJobs: options.authorJobs && options.work,
        selfCheck: options.work,
        logger,
        metrics,
      });
  if (deps.runner && options.work) await deps.runner.selfCheck();
  const exchange =
    deps.exchange ??
    createExchangeAccess({
      db: store.db,
      bus: infra.bus,
      encryptionKey: config.encryptionKey,
      exchangeUrl: config.exchangeUrl,
      timing: options.orderTiming,
    });
  const registry = createActiveCandleRegistry({ db: store.db, cache: infra.cache, logger });
  const missedAfterMs = options.missedAfterRealMs * clock.scale;

  const coordinator = createCoordinator({
    db: store.db,
    cache: infra.cache,
    lock: infra.lock,
    bus: infra.bus,
    marketData:
      deps.marketData ??
      createStoredFeed({
        db: store.db,
        lock: infra.lock,
        upstream: upstream!,
        waitBudgetMs: config.marketData.waitBudgetMs,
      }),
    runner: runners.candles,
    clock,
    workerId,
    logger,
    metrics,
    exchange,
    lockTtlMs: options.lockTtlMs,
    missedAfterMs,
    authorTimePerCloseMs: config.authorTimePerCloseMs,
    onStep: deps.onStep,
  });

  await ensureQueues(boss, [QUEUES.candle, ...PERIODIC.map((p) => p.queue)], {
    [QUEUES.candle]: { expireInSeconds: options.candleJobExpireSeconds },
  });
  const loops = await createWorkLoops(boss, infra.bus, logger);

  async function enqueue(jobs: CandleJob[]) {
    if (jobs.length === 0) return;
    await insertCandleJobs(boss, jobs);
    metrics.jobsEnqueued.inc({}, jobs.length);
    loops.wake(QUEUES.candle);
    await announceJobs(infra.bus, QUEUES.candle, logger);
  }

  const sweepCatchUp = createCatchUp({
    db: store.db,
    registry,
    enqueue,
    clock,
    notBefore: clock.scale === 1 ? 0 : clock.since,
    missedAfterMs,
    workerId,
    logger,
    metrics,
  });
  const reconcileOrders = async () => {
    const decided = await exchange.reconcile(logger);
    if (Object.keys(decided).length > 0) logger.info({ decided }, "exchange orders reconciled");
    return decided;
  };
  const checkPositions = createPositionsCheck({ db: store.db, lock: infra.lock, exchange, logger, metrics });
  const sweepStuck = createJanitor({ db: store.db, stuckAfterMs: options.stuckAfterMs, logger, metrics });
  const scheduler = createBoundaryScheduler({ clock, readCandles: () => registry.read(), enqueue, logger });
  const rebuildRegistry = async () => {
    const candles = await registry.rebuild();
    scheduler.refresh();
    return candles;
  };

  const inFlight = createInFlight();
  let stopping = false;
  let rebuildTimer: ReturnType<typeof setTimeout> | undefined;
  const rebuildSoon = () => {
    clearTimeout(rebuildTimer);
    rebuildTimer = setTimeout(() => {
      if (stopping) return;
      rebuildRegistry().catch((error) =>
        logger.error({ err: error }, "registry rebuild after a subscription change failed"),
      );
    }, REBUILD_COALESCE_MS);
  };
  const unsubscribes: Unsubscribe[] = [
    await infra.bus.subscribe(CHANNELS.subscriptionChanged, rebuildSoon),
    // A new version may trade other markets; its settings were already evicted from the cache by the web app.
    await infra.bus.subscribe(CHANNELS.strategyChanged, rebuildSoon),
  ];

  await rebuildRegistry().catch((error) => logger.error({ err: error }, "initial registry rebuild failed"));
  const startSweep = options.catchUpOnStart
    ? await sweepCatchUp().catch((error) => logger.error({ err: error }, "catch-up at start failed"))
    : undefined;
  if (options.work) {
    // Orders a stopped worker left pending, sent or unknown are decided before new ones are made.
    await reconcileOrders().catch((error) =>
      logger.error({ err: error }, "order reconciliation at start failed"),
    );
    await loops.start(QUEUES.candle, options.concurrency, options.pollingIntervalSeconds, async (job) => {
      // A fetch already on the wire when stop() began can still hand us jobs: refuse them, so
      // pg-boss fails them back to the queue for another worker instead of us dying mid-run.
      if (stopping) throw new Error("this worker is stopping; the job goes back to the queue");
      const parsed = candleJobSchema.safeParse(job.data);
      if (!parsed.success) {
        // Retrying cannot fix a payload: complete it and say why.
        logger.error(
          { jobId: job.id, issues: parsed.error.issues },
          "dropped a candle job with an invalid payload",
        );
        return;
      }
      const outcome = await inFlight.track(coordinator.executeCandle(parsed.data));
      // Failing the job makes pg-boss offer it again (retryDelay): the lock's holder has written its row by then.
      if (leavesCandleOpen(outcome)) throw new Error(`candle not settled (${outcome.status}); retried`);
    });
  }
  // A candle whose worker died or paused past its lease is taken over within seconds, by whichever worker looks first.
  const takeovers = options.work
    ? startTakeovers({
        db: store.db,
        execute: (job) => inFlight.track(coordinator.executeCandle(job)),
        everyMs: Math.min(5_000, Math.ceil(options.lockTtlMs / 2)),
        logger,
      })
    : null;
  if (options.periodic) {
    const periodicHandlers: Record<(typeof PERIODIC)[number]["queue"], () => Promise<unknown>> = {
      [QUEUES.registryRebuild]: rebuildRegistry,
      [QUEUES.janitor]: sweepStuck,
      [QUEUES.catchUp]: sweepCatchUp,
      [QUEUES.ordersReconcile]: reconcileOrders,
      [QUEUES.positionsCheck]: checkPositions,
    };
    for (const { queue, cron } of PERIODIC) {
      await boss.schedule(queue, cron, {}, { tz: "UTC" });
      await loops.start(queue, 1, 2, async () => {
        await inFlight.track(periodicHandlers[queue]());
      });
    }
    // Balances are compared at start too, not a minute later (the lock keeps one worker per account).
    void inFlight.track(
      checkPositions().catch((error) => logger.error({ err: error }, "positions check at start failed")),
    );
  }
  const authorJobs: RegisteredAuthorJobs | undefined = runners.authorJobs
    ? await registerAuthorJobs(boss, {
        store,
        bus: infra.bus,
        lock: infra.lock,
        runner: runners.authorJobs.validate,
        backtestRunner: runners.authorJobs.backtest,
        logger,
      })
    : undefined;

  if (options.scheduler) scheduler.start(startSweep?.at);
  logger.info(
    {
      workerId,
      queue: deps.queue.kind,
      bus: infra.kind,
      timeScale: clock.scale,
      concurrency: options.concurrency,
    },
    "worker started",
  );

  return {
    workerId,
    clock,
    enqueue,
    sweepCatchUp,
    sweepStuck,
    rebuildRegistry,
    metrics: () => metrics.registry.render(),
    async health() {
      const [storeState, queues, bus] = await Promise.all([
        probeStoreWrite(store, { part: "worker", databaseUrl: config.databaseUrl }),
        boss
          .getQueueSize(QUEUES.candle)
          .then((n) => ({ ok: true, detail: `pg-boss on ${deps.queue.kind}, ${n} candle jobs waiting` }))
          .catch((error: Error) => ({ ok: false, detail: `queue: ${error.message}` })),
        infra.health(),
      ]);
      return {
        ok: storeState.ok && queues.ok && bus.ok && !stopping,
        detail: `${storeState.detail}; ${queues.detail}; ${bus.detail}; ${inFlight.size} running${stopping ? "; stopping" : ""}`,
      };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      logger.info({ workerId, running: inFlight.size }, "worker stopping: no new jobs");
      scheduler.stop();
      takeovers?.stop();
      clearTimeout(rebuildTimer);
      for (const unsubscribe of unsubscribes) {
        await unsubscribe().catch((error: unknown) =>
          logger.warn({ err: error }, "could not unsubscribe from a change channel"),
        );
      }
      await loops.stop();
      await authorJobs?.stop();
      if (await inFlight.settle(options.stopTimeoutMs)) {
        // Abandoned runs keep their sandboxes; those die with this process (bubblewrap's --die-with-parent).
        await runners.close();
      } else {
        // Safe to abandon: a late result is refused by the store (unique keys, leases); another worker takes a claimed row over.
        logger.warn({ running: inFlight.size }, "stop: abandoning running executions after the timeout");
      }
      logger.info({ workerId }, "worker stopped");
    },
  };
}

/** `npm run worker`: a standalone worker process that stops gracefully on SIGTERM / SIGINT. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, name: "worker" });
  const lifecycle = createLifecycle({ logger, ...nodeProcess });
  const store = await openStoreWhenUp(() => openConfiguredStore(config, logger), logger);
  lifecycle.started("store", () => store.close());
  const infra = await createInfraWhenUp(config, logger);
  lifecycle.started("infra", () => infra.close());
  const queue = await createQueueWhenUp(
    {
      postgresUrl: config.postgresUrl,
      schema: config.pgbossSchema,
      dataDir: config.dataDir,
      onError: (error) => logger.error({ err: error }, "queue error"),
    },
    logger,
  );
  lifecycle.started("queue", () => queue.close());
  const worker = await startWorker({ config, store, infra, queue, logger });
  lifecycle.started("worker", () => worker.stop());
  const server = createWorkerHttpServer({
    health: () => worker.health(),
    metrics: () => worker.metrics(),
    onError: (error) => logger.error({ err: error }, "health check failed"),
  });
  server.listen(config.workerPort, config.host, () =>
    logger.info({ port: config.workerPort }, "worker health and metrics listening"),
  );
  lifecycle.started("http", () => server.close());
}

if (import.meta.url === `file://${process.argv[1]}`)
  await main().catch(exitIfSandboxUnavailable).catch(exitIfConfigError);
