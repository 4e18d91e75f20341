// As root the sandbox runs as uid 200000+: a checkout inside a directory only its owner may enter (mode 700,
// e.g. under /root) must still run strategies, and an interpreter there is refused naming the path (issue 15 item 1).
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createStrategyRunner, sampleCandles, SandboxUnavailableError } from "./index";
import { blockedForOthers } from "./sandbox-reach";

const PYTHON_DIR = fileURLToPath(new URL("../../python/", import.meta.url));
const CODE = `from candlecast import Strategy, Signal\n\nclass Probe(Strategy):\n    lookback = 20\n\n    def on_candle(self, candles, **kwargs):\n        return Signal.hold("reached")\n`;

let home: string;
let checkout: string;
beforeAll(() => {
  // A private home (mode 700) holding a clone's python/ runtime, as /root/x/python would be.
  home = mkdtempSync(join(tmpdir(), "candlecast-private-home-"));
  checkout = join(home, "x", "python");
  mkdirSync(checkout, { recursive: true });
  for (const name of ["candlecast", "candlecast_host"])
    cpSync(join(PYTHON_DIR, name), join(checkout, name), { recursive: true });
  chmodSync(home, 0o700);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

it("runs as root: the sandbox runs as another user", () => {
  expect(process.getuid?.()).toBe(0);
});

it("sees what blocks the sandbox's user: the mode-700 directory, nothing on the system interpreter", () => {
  expect(blockedForOthers(join(checkout, "candlecast"))).toBe(home);
  expect(blockedForOthers("/usr/bin/python3")).toBeNull();
});

it("runs a strategy from a checkout inside a mode-700 directory, through the sandbox", async () => {
  const runner = createStrategyRunner({ maxConcurrent: 1, packageRoot: checkout });
  try {
    const live = await runner.runLive({ code: CODE, candles: sampleCandles(30, { seed: 3 }) });
    expect(live, JSON.stringify(live)).toMatchObject({
      ok: true,
      signal: { action: "HOLD", reason: "reached" },
    });
    const manifest = await runner.readManifest(CODE);
    expect(manifest.ok && manifest.manifest.lookback).toBe(20);
  } finally {
    await runner.close();
  }
});

it("refuses an interpreter the sandbox's user cannot reach, naming the path that blocks it", () => {
  const python = join(home, "python3");
  copyFileSync("/usr/bin/python3", python);
  chmodSync(python, 0o755);
  const start = () => createStrategyRunner({ python, packageRoot: checkout });
  expect(start).toThrow(SandboxUnavailableError);
  expect(start).toThrow(`cannot pass ${home} (mode 700)`);
});
