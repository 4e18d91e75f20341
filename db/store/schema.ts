// The Drizzle schema of the libSQL store: every table the app and the worker share.
// Times are UTC epoch milliseconds (integer); money, prices and quantities are REAL (see docs/decisions/002).
import { sql } from "drizzle-orm";
import {
  STRATEGY_VISIBILITIES,
  VERSION_STATUSES,
  BROKER_KINDS,
  SUBSCRIPTION_STATUSES,
  EXECUTION_STATUSES,
  TRADE_STATUSES,
  TRADE_SIDES,
  BACKTEST_STATUSES,
} from "../contracts/domain";
import { ORDER_LEGS, ORDER_STATES } from "../contracts/order-states";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// The vocabulary lives with the contracts (browser-safe); the store re-exports it for its own users.
export {
  STRATEGY_VISIBILITIES,
  VERSION_STATUSES,
  BROKER_KINDS,
  SUBSCRIPTION_STATUSES,
  EXECUTION_STATUSES,
  TRADE_STATUSES,
  TRADE_SIDES,
  BACKTEST_STATUSES,
};

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;
const id = () => text("id").primaryKey();
const createdAt = () => integer("created_at").notNull().default(now);

export const users = sqliteTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: createdAt(),
});

/**
 * A sign-up waiting for its emailed code: one live per email (a new request replaces it). `passwordHash` null: the
 * email already had an account when it was asked, so no code can create one (the answer was the same; ADR 163).
 */
export const pendingSignUps = sqliteTable("pending_sign_ups", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash"),
  /** HMAC-SHA256 of the code under the session secret: the store never holds a code. */
  codeHash: text("code_hash").notNull(),
  attempts: integer("attempts").notNull().default(0),
  /** Codes mailed for this sign-up, the first one included. */
  sends: integer("sends").notNull().default(1),
  sentAt: integer("sent_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  createdAt: createdAt(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** First characters of the token, shown in settings so a user can tell tokens apart. */
    prefix: text("prefix").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);

/** The stored answer of a POST sent with an Idempotency-Key, per user and key, for 24 h (ADR 166). */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** SHA-256 of the method, path and body the key was first used with. */
    fingerprint: text("fingerprint").notNull(),
    /** Null while the first request runs. */
    status: integer("status"),
    response: text("response", { mode: "json" }).$type<{ body: unknown; headers: Record<string, string> }>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);

export const strategies = sqliteTable(
  "strategies",
  {
    id: id(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id),
    visibility: text("visibility", { enum: STRATEGY_VISIBILITIES }).notNull().default("draft"),
    /** Latest published version: what new and unpinned subscriptions run. */
    latestVersionId: text("latest_version_id"),
    /** Markets of the latest published version, denormalised for the marketplace filters. */
    resolution: text("resolution"),
    symbols: text("symbols", { mode: "json" }).$type<string[]>().notNull().default([]),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
    subscriberCount: integer("subscriber_count").notNull().default(0),
    /** Live performance, refreshed when trades close: total return in percent of the capital followed. */
    returnPct: real("return_pct").notNull().default(0),
    tradesCount: integer("trades_count").notNull().default(0),
    /** Winning trades over closed trades (0-1), null before the first; refreshed with return_pct. */
    winRate: real("win_rate"),
    /** Up to 32 equity values (start = 100) for the marketplace card's sparkline; refreshed with return_pct. */
    sparkline: text("sparkline", { mode: "json" }).$type<number[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    index("strategies_public_subscribers_idx").on(t.visibility, t.subscriberCount),
    // The marketplace's resolution filter: count and first page by subscribers straight from the index
    // (id makes it covering when a symbol or tag filter is combined with it).
    index("strategies_public_resolution_idx").on(t.visibility, t.resolution, t.subscriberCount, t.id),
    // The marketplace's symbol and tag filters probe (public, id) for each id of the junction table:
    // a covering lookup instead of reading every public strategy's row.
    index("strategies_public_id_idx").on(t.visibility, t.id),
    index("strategies_public_return_idx").on(t.visibility, t.returnPct),
    index("strategies_public_created_idx").on(t.visibility, t.createdAt),
    index("strategies_author_idx").on(t.authorId),
  ],
);

/** One row per (strategy, tag) and per (strategy, symbol): the marketplace filters use these indexes. */
export const strategyTags = sqliteTable(
  "strategy_tags",
  {
    strategyId: text("strategy_id")
      .notNull()
      .references(() => strategies.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.strategyId, t.tag] }),
    index("strategy_tags_tag_idx").on(t.tag, t.strategyId),
  ],
);

export const strategySymbols = sqliteTable(
  "strategy_symbols",
  {
    strategyId: text("strategy_id")
      .notNull()
      .references(() => strategies.id, { onDelete: "cascade" }),
    symbol: text("symbol").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.strategyId, t.symbol] }),
    // With strategy_id, the marketplace's symbol filter reads the ids from the index alone.
    index("strategy_symbols_symbol_idx").on(t.symbol, t.strategyId),
  ],
);

export const strategyVersions = sqliteTable(
  "strategy_versions",
  {
    id: id(),
    strategyId: text("strategy_id")
      .notNull()
      .references(() => strategies.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    /** major * 1e6 + minor * 1e3 + patch: orders versions numerically in SQL. */
    versionRank: integer("version_rank").notNull(),
    code: text("code").notNull(),
    symbols: text("symbols", { mode: "json" }).$type<string[]>().notNull(),
    resolution: text("resolution").notNull(),
    lookback: integer("lookback").notNull(),
    params: text("params", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    changelog: text("changelog").notNull().default(""),
    status: text("status", { enum: VERSION_STATUSES }).notNull().default("published"),
    createdAt: createdAt(),
    publishedAt: integer("published_at"),
  },
  (t) => [
    uniqueIndex("strategy_versions_strategy_version_uq").on(t.strategyId, t.version),
    index("strategy_versions_strategy_rank_idx").on(t.strategyId, t.versionRank),
  ],
);

export const brokerAccounts = sqliteTable(
  "broker_accounts",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: BROKER_KINDS }).notNull(),
    /** ccxt exchange id for exchange accounts, null for paper. */
    exchange: text("exchange"),
    /** AES-GCM ciphertext of {apiKey, secret}; never leaves the server, decrypted only in the worker. */
    credentialsEncrypted: text("credentials_encrypted"),
    /** Masked API key (first and last 4 characters) that may be shown to the owner. */
    credentialsHint: text("credentials_hint"),
    testnet: integer("testnet", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index("broker_accounts_user_idx").on(t.userId)],
);

export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: id(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    strategyId: text("strategy_id")
      .notNull()
      .references(() => strategies.id),
    /** Pinned version; null follows the strategy's latest published version. */
    pinnedVersionId: text("pinned_version_id"),
    brokerAccountId: text("broker_account_id")
      .notNull()
      .references(() => brokerAccounts.id),
    capital: real("capital").notNull(),
    /** Fractions (0.01 = 1 %), as are maxDailyLoss. */
    riskPerTrade: real("risk_per_trade").notNull(),
    leverage: real("leverage").notNull(),
    maxOpenPositions: integer("max_open_positions").notNull(),
    maxDailyLoss: real("max_daily_loss").notNull(),
    stopLossAtr: real("stop_loss_atr").notNull(),
    takeProfitAtr: real("take_profit_atr").notNull(),
    status: text("status", { enum: SUBSCRIPTION_STATUSES }).notNull().default("active"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull().default(now),
    pausedAt: integer("paused_at"),
    cancelledAt: integer("cancelled_at"),
    tradesCount: integer("trades_count").notNull().default(0),
    wins: integer("wins").notNull().default(0),
    losses: integer("losses").notNull().default(0),
    totalPnl: real("total_pnl").notNull().default(0),
    /** Realised P&L of the UTC day starting at pnlDayStart: the max-daily-loss check reads it. */
    pnlDayStart: integer("pnl_day_start").notNull().default(0),
    pnlToday: real("pnl_today").notNull().default(0),
  },
  (t) => [
    index("subscriptions_strategy_status_idx").on(t.strategyId, t.status),
    index("subscriptions_user_status_idx").on(t.userId, t.status),
  ],
);

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const executions = sqliteTable(
  "executions",
  {
    id: id(),
    strategyId: text("strategy_id")
      .notNull()
      .references(() => strategies.id),
    versionId: text("version_id"),
    symbol: text("symbol").notNull(),
    resolution: text("resolution").notNull(),
    closeTime: integer("close_time").notNull(),
    /** Where the window's candles came from: "simulated" or a ccxt exchange id. */
    marketSource: text("market_source").notNull().default("simulated"),
    status: text("status", { enum: EXECUTION_STATUSES }).notNull(),
    signal: text("signal"),
    confidence: real("confidence"),
    /** Reference price (close of the signal candle) and the strategy's stop/target hints. */
    price: real("price"),
    stopLossHint: real("stop_loss_hint"),
    takeProfitHint: real("take_profit_hint"),
    reason: text("reason"),
    subscriberCount: integer("subscriber_count").notNull().default(0),
    tradesCreated: integer("trades_created").notNull().default(0),
    errorKind: text("error_kind"),
    errorMessage: text("error_message"),
    /** The strategy's own log lines (or traceback), truncated to a bound. */
    log: text("log"),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    runMs: real("run_ms"),
    fanoutMs: real("fanout_ms"),
    workerId: text("worker_id"),
    /**
     * A RUNNING row's lease (the store's clock, epoch ms, ADR 150): its worker renews it while working and
     * commits only before it lapses; past it, another worker may take the candle over.
     */
    leaseUntil: integer("lease_until"),
  },
  (t) => [
    uniqueIndex("executions_candle_uq").on(t.strategyId, t.symbol, t.resolution, t.closeTime),
    index("executions_strategy_close_idx").on(t.strategyId, t.closeTime),
    index("executions_status_started_idx").on(t.status, t.startedAt),
    index("executions_running_lease_idx")
      .on(t.leaseUntil)
      .where(sql`status = 'RUNNING'`),
  ],
);

/**
 * The deployment's simulated clock at TIME_SCALE > 1 (ADR 151): one row, anchored by the first process
 * that needs it; simulated = simulatedAnchor + (real - realAnchor) × scale for every process.
 */
export const deploymentClock = sqliteTable("deployment_clock", {
  id: integer("id").primaryKey(),
  scale: real("scale").notNull(),
  realAnchor: integer("real_anchor").notNull(),
  simulatedAnchor: integer("simulated_anchor").notNull(),
  /** Simulated time when this scale's clock started: nothing before it is owed (ADR 041). */
  simulatedStart: integer("simulated_start").notNull(),
});

export type TradeStatus = (typeof TRADE_STATUSES)[number];

/**
 * What one execution did for one subscription: an opened position, or a recorded skip with its
 * reason (the audit trail). A later execution may close an open row (exit* columns).
 */
export const trades = sqliteTable(
  "trades",
  {
    id: id(),
    subscriptionId: text("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    executionId: text("execution_id")
      .notNull()
      .references(() => executions.id),
    userId: text("user_id").notNull(),
    strategyId: text("strategy_id").notNull(),
    symbol: text("symbol").notNull(),
    side: text("side", { enum: TRADE_SIDES }),
    status: text("status", { enum: TRADE_STATUSES }).notNull(),
    quantity: real("quantity"),
    entryPrice: real("entry_price"),
    stopLoss: real("stop_loss"),
    takeProfit: real("take_profit"),
    entryFee: real("entry_fee"),
    exitPrice: real("exit_price"),
    exitFee: real("exit_fee"),
    pnl: real("pnl"),
    clientOrderId: text("client_order_id"),
    /** For skips: the machine reason (max_daily_loss, ...); for closed trades: stop_loss, take_profit, signal... */
    reason: text("reason"),
    exitReason: text("exit_reason"),
    exitExecutionId: text("exit_execution_id"),
    openedAt: integer("opened_at").notNull(),
    closedAt: integer("closed_at"),
  },
  (t) => [
    // Execution first: one execution's rows are adjacent, so a fan-out appends instead of scattering.
    uniqueIndex("trades_execution_subscription_uq").on(t.executionId, t.subscriptionId),
    index("trades_subscription_status_idx").on(t.subscriptionId, t.status),
    index("trades_strategy_status_idx").on(t.strategyId, t.status),
  ],
);

/**
 * One row per exchange order intent, written in the transaction of its trade (state "pending"), then moved
 * by db/contracts/order-states.ts's table through conditional updates: at most one sender per order.
 */
export const orders = sqliteTable(
  "orders",
  {
    id: id(),
    tradeId: text("trade_id")
      .notNull()
      .references(() => trades.id),
    executionId: text("execution_id").notNull(),
    brokerAccountId: text("broker_account_id").notNull(),
    leg: text("leg", { enum: ORDER_LEGS }).notNull(),
    /** Derived from (subscription, execution, leg): see worker/brokers/client-order-id.ts. */
    clientOrderId: text("client_order_id").notNull(),
    exchangeOrderId: text("exchange_order_id"),
    symbol: text("symbol").notNull(),
    side: text("side", { enum: ["buy", "sell"] }).notNull(),
    quantity: real("quantity").notNull(),
    /** The signal candle's close: a look-up or a late send is judged by its age. */
    referencePrice: real("reference_price").notNull(),
    /** A resting leg's level (the stop-loss's stop price, the take-profit's price); null for market orders. */
    triggerPrice: real("trigger_price"),
    state: text("state", { enum: ORDER_STATES }).notNull().default("pending"),
    /** Why it is in its state (the exchange's answer, the reconciliation's decision). */
    reason: text("reason"),
    filledQuantity: real("filled_quantity"),
    averagePrice: real("average_price"),
    fee: real("fee"),
    createdAt: createdAt(),
    sentAt: integer("sent_at"),
    updatedAt: integer("updated_at"),
  },
  (t) => [
    uniqueIndex("orders_account_client_id_uq").on(t.brokerAccountId, t.clientOrderId),
    index("orders_state_created_idx").on(t.state, t.createdAt),
    index("orders_trade_idx").on(t.tradeId),
  ],
);

/**
 * The exchange's fills of an order, keyed by the exchange's own trade id: a fill read again (a retried
 * look-up, a partial fill seen twice) is recorded once. The order's and the trade's figures are their sums.
 */
export const orderFills = sqliteTable(
  "order_fills",
  {
    id: id(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    exchangeTradeId: text("exchange_trade_id").notNull(),
    price: real("price").notNull(),
    quantity: real("quantity").notNull(),
    /** In the quote currency (a fee charged in the base is valued at the fill's price). */
    fee: real("fee").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("order_fills_order_trade_uq").on(t.orderId, t.exchangeTradeId)],
);

/** One row per kind of process (web, worker): the health check's write probe upserts it (ADR 156). */
export const storeHeartbeats = sqliteTable("store_heartbeats", {
  part: text("part").primaryKey(),
  at: integer("at").notNull(),
});

/** Transactional outbox: written with the data it describes, published on the bus, replayed by SSE. */
export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    userId: text("user_id"),
    type: text("type").notNull(),
    payload: text("payload").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("events_user_seq_idx").on(t.userId, t.seq)],
);

/** A backtest of one strategy version over a period of one market, run as a worker job. */
export const backtests = sqliteTable(
  "backtests",
  {
    id: id(),
    strategyId: text("strategy_id")
      .notNull()
      .references(() => strategies.id, { onDelete: "cascade" }),
    versionId: text("version_id")
      .notNull()
      .references(() => strategyVersions.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    symbol: text("symbol").notNull(),
    resolution: text("resolution").notNull(),
    fromTime: integer("from_time").notNull(),
    toTime: integer("to_time").notNull(),
    /** "simulated" or the ccxt exchange id whose stored candles the backtest read. */
    marketSource: text("market_source").notNull().default("simulated"),
    /** Risk settings the backtest sized its trades with (the subscribe form's defaults unless given). */
    settings: text("settings", { mode: "json" }).$type<Record<string, number>>().notNull(),
    status: text("status", { enum: BACKTEST_STATUSES }).notNull().default("queued"),
    progress: real("progress").notNull().default(0),
    /** PerformanceStats (db/contracts/performance.ts); older rows lack the figures added since. */
    stats: text("stats", { mode: "json" }).$type<Record<string, number | string | null>>(),
    equity: text("equity", { mode: "json" }).$type<[number, number][]>(),
    trades: text("trades", { mode: "json" }).$type<Record<string, unknown>[]>(),
    error: text("error"),
    createdAt: createdAt(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    index("backtests_strategy_version_idx").on(t.strategyId, t.versionId, t.createdAt),
    index("backtests_user_idx").on(t.userId, t.createdAt),
  ],
);

export type User = typeof users.$inferSelect;
export type Strategy = typeof strategies.$inferSelect;
export type StrategyVersion = typeof strategyVersions.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;
export type BrokerAccount = typeof brokerAccounts.$inferSelect;
export type Execution = typeof executions.$inferSelect;
export type Trade = typeof trades.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type Backtest = typeof backtests.$inferSelect;

/**
 * Closed candles, shared by every worker and backtest: fetched from the source once per market and
 * close, then read from here. `filled` marks a candle the source left out (nothing traded), stored
 * flat at the previous close with volume 0 (ADR 120).
 */
export const candles = sqliteTable(
  "candles",
  {
    source: text("source").notNull(),
    symbol: text("symbol").notNull(),
    resolution: text("resolution").notNull(),
    /** Open time. */
    time: integer("time").notNull(),
    open: real("open").notNull(),
    high: real("high").notNull(),
    low: real("low").notNull(),
    close: real("close").notNull(),
    volume: real("volume").notNull(),
    filled: integer("filled", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.source, t.symbol, t.resolution, t.time] })],
);
