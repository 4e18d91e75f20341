// The tiny Prometheus registry renders the text exposition format scrapers parse.
import { createMetricsRegistry } from "./metrics";

it("renders counters with labels and cumulative histogram buckets", () => {
  const registry = createMetricsRegistry();
  const runs = registry.counter("demo_runs_total", "Runs by status.");
  const seconds = registry.histogram("demo_seconds", "Run time.", [0.1, 1]);
  runs.inc({ status: "COMPLETED" });
  runs.inc({ status: "COMPLETED" }, 2);
  runs.inc({ status: 'say "hi"\n' });
  seconds.observe(0.05);
  seconds.observe(0.5);
  seconds.observe(3);
  expect(registry.render()).toBe(
    [
      "# HELP demo_runs_total Runs by status.",
      "# TYPE demo_runs_total counter",
      'demo_runs_total{status="COMPLETED"} 3',
      'demo_runs_total{status="say \\"hi\\"\\n"} 1',
      "# HELP demo_seconds Run time.",
      "# TYPE demo_seconds histogram",
      'demo_seconds_bucket{le="0.1"} 1',
      'demo_seconds_bucket{le="1"} 2',
      'demo_seconds_bucket{le="+Inf"} 3',
      "demo_seconds_sum 3.55",
      "demo_seconds_count 3",
      "",
    ].join("\n"),
  );
  expect(runs.get({ status: "COMPLETED" })).toBe(3);
  expect(() => runs.inc({}, -1)).toThrow();
  expect(() => registry.counter("demo_runs_total", "again")).toThrow();
});
