// A tiny Prometheus registry (counters and histograms with labels) rendered in the text exposition format.

type Labels = Record<string, string>;

const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map(
      (k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
    )
    .join(",");

const braces = (inner: string) => (inner ? `{${inner}}` : "");
const formatNumber = (v: number) =>
  Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
  /** Starts a timer; calling the returned function observes the seconds elapsed. */
  startTimer(labels?: Labels): () => number;
  count(labels?: Labels): number;
}

interface Metric {
  render(): string;
}

export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  histogram(name: string, help: string, buckets?: number[]): Histogram;
  /** Prometheus text format (version 0.0.4). */
  render(): string;
}

export const DEFAULT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetricsRegistry(): MetricsRegistry {
  const metrics = new Map<string, Metric>();

  const register = <M extends Metric>(name: string, make: () => M): M => {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    if (metrics.has(name)) throw new Error(`metric ${name} is already registered`);
    const metric = make();
    metrics.set(name, metric);
    return metric;
  };

  return {
    counter(name, help) {
      const values = new Map<string, number>();
      const counter: Counter & Metric = {
        inc(labels = {}, by = 1) {
          if (by < 0) throw new Error("a counter only goes up");
          const key = labelKey(labels);
          values.set(key, (values.get(key) ?? 0) + by);
        },
        get: (labels = {}) => values.get(labelKey(labels)) ?? 0,
        render() {
          const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
          for (const [key, value] of values) lines.push(`${name}${braces(key)} ${formatNumber(value)}`);
          return lines.join("\n");
        },
      };
      return register(name, () => counter);
    },

    histogram(name, help, buckets = DEFAULT_SECONDS_BUCKETS) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, { counts: number[]; sum: number; count: number }>();
      const histogram: Histogram & Metric = {
        observe(value, labels = {}) {
          const key = labelKey(labels);
          let s = series.get(key);
          if (!s) series.set(key, (s = { counts: bounds.map(() => 0), sum: 0, count: 0 }));
          for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]) s.counts[i] += 1;
          s.sum += value;
          s.count += 1;
        },
        startTimer(labels) {
          const started = performance.now();
          return () => {
            const seconds = (performance.now() - started) / 1000;
            histogram.observe(seconds, labels);
            return seconds;
          };
        },
        count: (labels = {}) => series.get(labelKey(labels))?.count ?? 0,
        render() {
          const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
          for (const [key, s] of series) {
            const sep = key ? `${key},` : "";
            bounds.forEach((b, i) =>
              lines.push(`${name}_bucket{${sep}le="${formatNumber(b)}"} ${s.counts[i]}`),
            );
            lines.push(`${name}_bucket{${sep}le="+Inf"} ${s.count}`);
            lines.push(`${name}_sum${braces(key)} ${formatNumber(s.sum)}`);
            lines.push(`${name}_count${braces(key)} ${s.count}`);
          }
          return lines.join("\n");
        },
      };
      return register(name, () => histogram);
    },

    render() {
      return `${[...metrics.values()].map((m) => m.render()).join("\n")}\n`;
    },
  };
}

/** The worker's own metrics, built once per worker by its composition root. */
export function createWorkerMetrics(registry: MetricsRegistry = createMetricsRegistry()) {
  return {
    registry,
    executions: registry.counter(
      "candlecast_executions_total",
      "Executions finished by this worker, by status.",
    ),
    candleJobs: registry.counter(
      "candlecast_candle_jobs_total",
      "Candle jobs handled, by outcome (executed, locked, already_done, in_progress, fenced, ...).",
    ),
    lockContention: registry.counter(
      "candlecast_lock_contention_total",
      "Candle jobs that found the execution lock held by another worker.",
    ),
    lockLost: registry.counter("candlecast_lock_lost_total", "Executions whose lock lapsed while they ran."),
    fenced: registry.counter(
      "candlecast_fenced_writes_total",
      "Results refused by the store: the claim's lease lapsed, or another worker or the janitor got there first.",
    ),
    takenOver: registry.counter(
      "candlecast_claims_taken_over_total",
      "RUNNING executions this worker took over after their claim's lease lapsed.",
    ),
    jobsEnqueued: registry.counter(
      "candlecast_candle_jobs_enqueued_total",
      "Candle jobs offered to the queue.",
    ),
    missed: registry.counter(
      "candlecast_missed_closes_total",
      "Closes recorded SKIPPED as missed by catch-up.",
    ),
    janitorFailed: registry.counter(
      "candlecast_janitor_failed_total",
      "Stuck executions the janitor finished as FAILED.",
    ),
    sandboxesStarted: registry.counter(
      "candlecast_sandboxes_started_total",
      "Warm strategy sandboxes started, by kind (lean, scientific).",
    ),
    sandboxesReplaced: registry.counter(
      "candlecast_sandboxes_replaced_total",
      "Warm sandboxes replaced, by reason (unclean run, lost, worn after its run budget).",
    ),
    positionChecks: registry.counter(
      "candlecast_position_checks_total",
      "Exchange balances the positions check compared per (account, asset), by outcome: match, mismatch, deferred (orders in flight), failed, locked (another worker had the account).",
    ),
    tradesOpened: registry.counter("candlecast_trades_opened_total", "Trades opened."),
    tradesClosed: registry.counter("candlecast_trades_closed_total", "Trades closed, by reason."),
    runSeconds: registry.histogram("candlecast_strategy_run_seconds", "Sandboxed strategy run time."),
    runWaitSeconds: registry.histogram(
      "candlecast_run_wait_seconds",
      "How long a candle's strategy run waited for a sandbox slot (runs past 1 s are logged with their author).",
    ),
    fanoutSeconds: registry.histogram(
      "candlecast_fanout_seconds",
      "Fan-out time: sizing every subscription, the one transaction, and publishing the events.",
    ),
    executionSeconds: registry.histogram(
      "candlecast_execution_seconds",
      "One candle end to end: job start to events published.",
    ),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
