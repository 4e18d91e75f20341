// The strategy CLI's contract: one JSON object on stdout and the documented exit codes.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCandleCsv } from "./csv-candles";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURE = join(ROOT, "python/tests/fixtures/btc_1h.csv");

function cli(...args: string[]) {
  const run = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["worker/runtime/cli.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const lines = run.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return { status: run.status, json: JSON.parse(lines[0]) };
}

it("validate prints the signal and exits 0", () => {
  const { status, json } = cli("validate", "python/examples/sma_crossover.py");
  expect(status).toBe(0);
  expect(json).toMatchObject({
    ok: true,
    signal: { action: expect.any(String) },
    logs: [],
    ms: expect.any(Number),
  });
});

/** `validate` on a strategy file holding `source`. */
function validateSource(name: string, source: string) {
  const file = join(tmpdir(), `cc-${name}-${process.pid}.py`);
  writeFileSync(file, source);
  return cli("validate", file);
}

it("validate reports a typed error and exits 1", () => {
  const { status, json } = validateSource("broken", "import no_such_module_here\n");
  expect(status).toBe(1);
  expect(json).toMatchObject({
    ok: false,
    error: { kind: "import", message: expect.stringContaining("no_such_module_here") },
  });
});

it("validate refuses an INTERFACE_VERSION the host does not support", () => {
  const source = `from candlecast import Strategy\n\nclass Future(Strategy):\n    INTERFACE_VERSION = 2\n`;
  const { status, json } = validateSource("interface", source);
  expect(status).toBe(1);
  expect(json).toMatchObject({
    ok: false,
    error: { kind: "runtime", message: "INTERFACE_VERSION 2 is not supported by this host (supported: 1)" },
  });
});

it("validate still answers when the run took its sandbox down with it", () => {
  // An unclean run gets its warm sandbox killed and replaced; the CLI must wait for that, not exit half-way.
  const { status, json } = validateSource("exit", "import os\nos._exit(3)\n");
  expect(status).toBe(1);
  expect(json).toMatchObject({
    ok: false,
    error: { kind: "runtime", message: expect.stringContaining("exit code 3") },
  });
});

it("backtest prints one signal per candle and a summary", () => {
  const { status, json } = cli("backtest", "python/examples/bollinger_breakout.py", "--candles", FIXTURE);
  expect(status).toBe(0);
  const candles = parseCandleCsv(readFileSync(FIXTURE, "utf8"));
  expect(json.signals).toHaveLength(candles.length);
  expect(json.signals[100].time).toBe(candles[100].time);
  expect(json.summary.candles).toBe(candles.length);
  expect(json.summary.actions.BUY).toBeGreaterThan(0);
});

it("backtest without candles is a usage error", () => {
  const { status, json } = cli("backtest", "python/examples/sma_crossover.py");
  expect(status).toBe(2);
  expect(json.error.kind).toBe("usage");
});

describe("parseCandleCsv", () => {
  it("reads epoch ms and ISO times, with or without a header", () => {
    const a = parseCandleCsv("time,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n");
    const b = parseCandleCsv("2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n");
    expect(a).toEqual(b);
    expect(a[0]).toEqual({ time: 1704067200000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 });
  });

  it("names the line and field that is wrong", () => {
    expect(() => parseCandleCsv("1,1,2,0.5,abc,10\n")).toThrow(/line 1: close/);
    expect(() => parseCandleCsv("2,1,2,0.5,1,10\n1,1,2,0.5,1,10\n")).toThrow(/line 2: times must increase/);
    expect(() => parseCandleCsv("1,2,3\n")).toThrow(/expected 6 columns/);
  });
});
