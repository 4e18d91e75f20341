// The execution client end to end through the real sandbox: examples, live/backtest parity, parameters, pandas, limits, fail-closed.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  createStrategyRunner,
  SANDBOX_INSTALL_LINE,
  SandboxUnavailableError,
  sampleCandles,
  type StrategyRunner,
} from "./index";

const EXAMPLES = fileURLToPath(new URL("../../python/examples/", import.meta.url));
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith(".py"));
const source = (file: string) => readFileSync(EXAMPLES + file, "utf8");
const candles = sampleCandles(420, { seed: 11 });
let runner: StrategyRunner;

beforeAll(() => {
  runner = createStrategyRunner({ maxConcurrent: 4 });
});
afterAll(() => runner.close());

describe("examples", () => {
  it.each(exampleFiles)("%s validates live and declares its manifest", async (file) => {
    const live = await runner.runLive({ code: source(file), candles });
    expect(live.ok, JSON.stringify(live)).toBe(true);
    const manifest = await runner.readManifest(source(file));
    expect(manifest.ok && manifest.manifest.description).toMatch(/^[A-Z].+\.$/);
    expect(manifest.ok && manifest.manifest.symbols.length).toBeGreaterThan(0);
  });

  it.each(exampleFiles)("%s: live on each window equals the backtest's signal for that bar", async (file) => {
    const code = source(file);
    const backtest = await runner.runBacktest({ code, candles });
    if (!backtest.ok) throw new Error(JSON.stringify(backtest.error));
    expect(backtest.signals).toHaveLength(candles.length);
    const bars = Array.from({ length: 24 }, (_, k) => candles.length - 1 - k * 5);
    const live = await Promise.all(
      bars.map((i) => runner.runLive({ code, candles: candles.slice(0, i + 1) })),
    );
    live.forEach((result, k) => {
      expect(result.ok && result.signal, `bar ${bars[k]}`).toEqual(backtest.signals[bars[k]]);
    });
  });
});

describe("runs", () => {
  const sma = () => source("sma_crossover.py");

  it("passes parameters and reports a bad one by name", async () => {
    const fine = await runner.runBacktest({ code: sma(), candles, params: { fast: 5, slow: 20 } });
    const defaults = await runner.runBacktest({ code: sma(), candles });
    expect(fine.ok && defaults.ok).toBe(true);
    if (fine.ok && defaults.ok) expect(fine.signals).not.toEqual(defaults.signals);
    const bad = await runner.runLive({ code: sma(), candles, params: { slow: 500 } });
    expect(!bad.ok && bad.error).toMatchObject({
      kind: "runtime",
      message: expect.stringContaining("slow=500 is above its maximum 99"),
    });
  });

  it("holds during warm-up, live and in backtests", async () => {
    const live = await runner.runLive({ code: sma(), candles: candles.slice(0, 50) });
    expect(live.ok && live.signal).toMatchObject({ action: "HOLD", reason: "warm-up" });
    const backtest = await runner.runBacktest({ code: sma(), candles: candles.slice(0, 120) });
    expect(backtest.ok && backtest.signals.slice(0, 99).every((s) => s.reason === "warm-up")).toBe(true);
  });

  it("per-bar and vectorised backtests agree", async () => {
    const vectorised = await runner.runBacktest({ code: sma(), candles });
    const perBar = await runner.runBacktest({ code: sma(), candles, perBar: true });
    expect(vectorised.ok && perBar.ok).toBe(true);
    if (vectorised.ok && perBar.ok) expect(perBar.signals).toEqual(vectorised.signals);
  });

  it("returns the strategy's log lines", async () => {
    const code = `from candlecast import Strategy, Signal\nclass P(Strategy):\n    lookback = 5\n    def on_candle(self, candles, **kw):\n        print("close", candles.close[-1])\n        self.log("done")\n        return Signal.hold()\n`;
    const result = await runner.runLive({ code, candles });
    expect(result.ok && result.logs).toEqual([`close ${candles.at(-1)!.close}`, "done"]);
  });

  it("a wrong-length history is a bad_signal", async () => {
    const code = `from candlecast import Strategy, Signal\nclass P(Strategy):\n    lookback = 5\n    def on_history(self, candles, **kw):\n        return [Signal.hold()]\n`;
    const result = await runner.runBacktest({ code, candles });
    expect(!result.ok && result.error.kind).toBe("bad_signal");
  });

  it("gives pandas users a DataFrame in the sandbox", async () => {
    const code = `from candlecast import Strategy, Signal\nclass P(Strategy):\n    lookback = 30\n    def on_candle(self, candles, **kw):\n        df = candles.to_pandas()\n        m = df["close"].rolling(10).mean().iloc[-1]\n        return Signal.hold("%.6f" % m)\n`;
    const result = await runner.runLive({ code, candles });
    const want = candles.slice(-10).reduce((a, c) => a + c.close, 0) / 10;
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (result.ok) expect(Number(result.signal.reason)).toBeCloseTo(want, 5);
  });

  it("runs strategies that mention numpy or pandas where they are already imported, others where they are not", async () => {
    const imported = (name: string) =>
      `import sys\nfrom candlecast import Strategy, Signal\nclass P(Strategy):\n    lookback = 10\n    def on_candle(self, candles, **kw):\n        return Signal.hold(str(${name} in sys.modules))\n`;
    const scientific = await runner.runLive({ code: imported(`"pandas"`), candles });
    const lean = await runner.runLive({ code: imported(`"pan" + "das"`), candles });
    expect(scientific.ok && scientific.signal.reason).toBe("True");
    expect(lean.ok && lean.signal.reason).toBe("False");
  });

  it("reads an answer of megabytes (many pipe chunks) whole", async () => {
    const code = `from candlecast import Strategy, Signal\nclass Each(Strategy):\n    lookback = 1\n    def on_candle(self, candles, **kw):\n        return Signal.hold("bar %d %s" % (candles.time[-1], "x" * 60))\n`;
    const history = sampleCandles(20_000, { seed: 5 });
    const result = await runner.runBacktest({ code, candles: history });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.signals).toHaveLength(20_000);
    expect(result.signals[19_999].reason).toBe(`bar ${history[19_999].time} ${"x".repeat(60)}`);
  });

  it("refuses non-finite candles before starting anything", async () => {
    const broken = [...candles.slice(0, 5), { ...candles[5], close: Number.NaN }];
    await expect(runner.runLive({ code: sma(), candles: broken })).rejects.toThrow(RangeError);
  });

  it("bounds concurrency", async () => {
    const one = createStrategyRunner({ maxConcurrent: 1 });
    const code = `import time\nfrom candlecast import Strategy, Signal\nclass P(Strategy):\n    lookback = 1\n    def on_candle(self, candles, **kw):\n        time.sleep(0.3)\n        return Signal.hold()\n`;
    const started = performance.now();
    const results = await Promise.all([1, 2, 3].map(() => one.runLive({ code, candles })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe("fail closed", () => {
  it("refuses to start without bubblewrap, printing the README's install line", () => {
    expect(() => createStrategyRunner({ bwrap: "/nonexistent/bwrap" })).toThrow(SandboxUnavailableError);
    expect(() => createStrategyRunner({ bwrap: "/nonexistent/bwrap" })).toThrow(
      `Install it with: ${SANDBOX_INSTALL_LINE}`,
    );
    expect(() => createStrategyRunner({ python: "/nonexistent/python3" })).toThrow(SANDBOX_INSTALL_LINE);
    // The Quick start's prerequisites are that exact line, copy-paste ready.
    const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
    expect(readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Configuration"))).toContain(
      "```sh\n" + SANDBOX_INSTALL_LINE + "\n```",
    );
  });

  it("a self-check passes where the sandbox works, and names the failure where it cannot start", async () => {
    await expect(runner.selfCheck()).resolves.toBeUndefined();
    // An executable that exits at once in place of bubblewrap: every sandbox dies before it answers.
    const broken = createStrategyRunner({ bwrap: "/bin/false" });
    await expect(broken.selfCheck()).rejects.toThrow(SandboxUnavailableError);
    await expect(broken.selfCheck()).rejects.toThrow(/sandbox does not work here \(sandbox\)/);
  });

  it("refuses a relative interpreter (a PATH shim)", () => {
    expect(() => createStrategyRunner({ python: "python3" })).toThrow(/absolute path/);
  });

  it("runs unsandboxed only when told to, and says so", async () => {
    const warnings: string[] = [];
    const dev = createStrategyRunner({
      sandbox: "none",
      bwrap: "/nonexistent/bwrap",
      logger: { warn: (m) => warnings.push(m) },
    });
    expect(warnings.join("\n")).toMatch(/SANDBOX DISABLED/);
    const result = await dev.runLive({ code: sma(), candles });
    expect(result.ok).toBe(true);
  });

  function sma() {
    return source("sma_crossover.py");
  }
});
