// The hostile corpus: every attack ends as its typed error (or a harmless result) within its limit, and leaves nothing running.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { RuntimeErrorKind } from "../../db/contracts/domain";
import { createStrategyRunner, sampleCandles, type LiveResult } from "./index";

const CANARY = `canary-${Math.random().toString(36).slice(2)}`;
process.env.CANDLECAST_CANARY_SECRET = CANARY;

const TIMEOUT_MS = 2_500;
const runner = createStrategyRunner({
  maxConcurrent: 6,
  limits: {
    liveTimeoutMs: TIMEOUT_MS,
    memoryBytes: 768 * 1024 * 1024,
    maxOutputChars: 100_000,
    maxAnswerBytes: 1_000_000,
  },
});
const candles = sampleCandles(60);
const PROJECT_FILE = fileURLToPath(new URL("../../package.json", import.meta.url));
const HOST_TMP_MARKER = `/tmp/${runner.processTag}-escaped`;

/** A strategy whose on_candle runs `body` (indented for us); `header` goes at module level. */
function strategy(body: string, header = ""): string {
  const indented = body
    .trim()
    .split("\n")
    .map((l) => "        " + l)
    .join("\n");
  return `import os, sys, socket, time, signal, threading\nfrom candlecast import Strategy, Signal\n${header}\nclass Attack(Strategy):\n    lookback = 10\n    def on_candle(self, candles, **kwargs):\n${indented}\n        return Signal.hold("survived")\n`;
}

/** Finds the run's audit guard and switches it off, as an attacker who read our source would. */
const GUARD_OFF = `import gc\nfor o in gc.get_objects():\n    if type(o).__name__ == "Guard":\n        o.active = False`;

type Expect = { kind: RuntimeErrorKind } | { ok: (r: Extract<LiveResult, { ok: true }>) => void };

const corpus: Array<[string, string, Expect]> = [
  [
    "TCP to local Redis",
    strategy(`socket.create_connection(("127.0.0.1", 6379), timeout=1)`),
    { kind: "sandbox" },
  ],
  [
    "Postgres unix socket",
    strategy(`s = socket.socket(socket.AF_UNIX)\ns.connect("/var/run/postgresql/.s.PGSQL.5432")`),
    { kind: "sandbox" },
  ],
  [
    "TCP to a public address",
    strategy(`socket.create_connection(("1.1.1.1", 443), timeout=1)`),
    { kind: "sandbox" },
  ],
  ["DNS lookup", strategy(`socket.getaddrinfo("example.com", 80)`), { kind: "sandbox" }],
  ["read /etc/passwd", strategy(`open("/etc/passwd").read()`), { kind: "sandbox" }],
  ["read /proc/1/environ", strategy(`open("/proc/1/environ", "rb").read()`), { kind: "sandbox" }],
  [
    "read the project's files",
    strategy(`open(${JSON.stringify(PROJECT_FILE)}).read()`),
    // A checkout under /tmp is hidden by the private tmpfs (not found); anywhere else the guard refuses it.
    { kind: PROJECT_FILE.startsWith("/tmp/") ? "runtime" : "sandbox" },
  ],
  [
    "write outside the private tmp",
    strategy(`open("/opt/candlecast/candlecast/evil.py", "w").write("x")`),
    { kind: "sandbox" },
  ],
  [
    "swallow the violation and carry on",
    strategy(`try:\n    open("/etc/shadow")\nexcept BaseException:\n    pass\nreturn Signal.buy()`),
    { kind: "sandbox" },
  ],
  [
    "read the environment",
    strategy(
      `seen = repr(dict(os.environ)) + open("/proc/self/environ", "rb").read().decode("latin-1")\nreturn Signal.hold(seen[-400:])`,
    ),
    { ok: (r) => expect(r.signal.reason).not.toContain(CANARY) },
  ],
  ["fork bomb", strategy(`while True:\n    os.fork()`), { kind: "sandbox" }],
  // The audit guard only improves messages; these switch it off first and meet the real boundary.
  [
    "past the guard: read the supervisor's memory and pipes",
    strategy(
      `${GUARD_OFF}\nseen = []\nfor path in ("/proc/%d/mem" % os.getppid(), "/proc/%d/fd/0" % os.getppid(), "/proc/%d/environ" % os.getppid()):\n    try:\n        open(path, "rb").read(1)\n        seen.append("read " + path)\n    except OSError as e:\n        seen.append(type(e).__name__)\nreturn Signal.hold(" ".join(seen))`,
    ),
    { ok: (r) => expect(r.signal.reason).toBe("PermissionError PermissionError PermissionError") },
  ],
  [
    "double-forked child",
    strategy(`if os.fork() == 0:\n    if os.fork() == 0:\n        time.sleep(600)\n    os._exit(0)`),
    { kind: "sandbox" },
  ],
  ["subprocess", strategy(`import subprocess\nsubprocess.run(["id"])`), { kind: "sandbox" }],
  ["os.system", strategy(`os.system("id")`), { kind: "sandbox" }],
  ["kill pid 1", strategy(`os.kill(1, 9)`), { kind: "sandbox" }],
  [
    "__subclasses__ escape",
    strategy(
      `wc = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0]\nwc.__init__.__globals__["system"]("id")`,
    ),
    { kind: "sandbox" },
  ],
  ["ctypes", strategy(`import ctypes\nctypes.CDLL(None).system(b"id")`), { kind: "sandbox" }],
  ["infinite loop", strategy(`while True:\n    pass`), { kind: "timeout" }],
  [
    "ignore SIGTERM and spin",
    strategy(`signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass`),
    { kind: "timeout" },
  ],
  ["slow import", strategy(`pass`, `time.sleep(60)`), { kind: "timeout" }],
  ["10 GB allocation", strategy(`x = bytearray(10 * 1024 ** 3)`), { kind: "memory" }],
  [
    "deep recursion past the C stack",
    strategy(
      `sys.setrecursionlimit(10 ** 7)\nclass Deep:\n    def __repr__(self):\n        return repr(self)\nrepr(Deep())`,
    ),
    { kind: "memory" },
  ],
  ["ordinary deep recursion", strategy(`def down(n):\n    return down(n + 1)\ndown(0)`), { kind: "runtime" }],
  [
    "200 MB of stdout",
    strategy(`for _ in range(200):\n    print("x" * 1_000_000)`),
    { kind: "output_limit" },
  ],
  [
    "200 MB of logs",
    strategy(`for _ in range(200_000):\n    self.log("y" * 1000)`),
    { kind: "output_limit" },
  ],
  ["huge return value", strategy(`return Signal.hold("z" * (200 * 1024 * 1024))`), { kind: "bad_signal" }],
  ["sys.exit(0) before returning", strategy(`sys.exit(0)`), { kind: "runtime" }],
  ["os._exit(0) before returning", strategy(`os._exit(0)`), { kind: "runtime" }],
  [
    "a thread that outlives the run",
    strategy(
      `threading.Thread(target=lambda: time.sleep(600)).start()\nreturn Signal.buy(reason="thread started")`,
    ),
    { ok: (r) => expect(r.signal.reason).toBe("thread started") },
  ],
  [
    "write a big file to the private tmp",
    strategy(`open("/tmp/big", "wb").write(b"x" * (64 * 1024 * 1024))`),
    { kind: "runtime" },
  ],
  [
    "the private tmp is not the host's",
    strategy(
      `open(${JSON.stringify(HOST_TMP_MARKER)}, "w").write("x")\nreturn Signal.hold(str(os.listdir("/tmp")))`,
    ),
    { ok: () => expect(existsSync(HOST_TMP_MARKER)).toBe(false) },
  ],
  ["syntax error", "from candlecast import Strategy\nclass Broken(Strategy)\n    pass\n", { kind: "syntax" }],
  ["missing import", "import definitely_not_a_module\n", { kind: "import" }],
  ["bad signal", strategy(`return "MOON"`), { kind: "bad_signal" }],
];

/** The runner's processes: "pid: command line" of each whose command line carries the tag. */
function processesWithTag(tag: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes(tag)) found.push(`${pid}: ${cmd.replaceAll("\0", " ").slice(0, 120)}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Pid and parent pid of the runner's Python processes: supervisors, and any strategy child (same command line). */
function pythonProcesses(tag: string): { pid: string; parent: string }[] {
  return processesWithTag(tag)
    .filter((line) => /^\d+: \S*python/.test(line))
    .flatMap((line) => {
      const pid = line.split(":")[0];
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return [{ pid, parent: stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] }];
      } catch {
        return [];
      }
    });
}

/** For each sandbox of the runner, how many runner processes live under its init (a survivor makes it two). */
function supervisorsPerSandbox(tag: string): number[] {
  const perInit = new Map<string, number>();
  for (const { parent } of pythonProcesses(tag)) perInit.set(parent, (perInit.get(parent) ?? 0) + 1);
  return [...perInit.values()];
}

const eventually = (check: () => boolean, timeout = 3_000): Promise<boolean> =>
  vi
    .waitFor(
      () => {
        if (!check()) throw new Error("not yet");
      },
      { timeout, interval: 50 },
    )
    .then(
      () => true,
      () => check(),
    );

describe("hostile strategies", () => {
  const results = new Map<string, { result: LiveResult; wallMs: number }>();

  beforeAll(async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    await Promise.all(
      corpus.map(async ([name, code]) => {
        const started = performance.now();
        const result = await runner.runLive({ code, candles });
        results.set(name, { result, wallMs: performance.now() - started });
      }),
    );
  }, 60_000);

  it.each(corpus)("%s", (name, _code, want) => {
    const { result, wallMs } = results.get(name)!;
    // Queued behind other runs, so the bound is generous; without the wall-clock kill these would never end.
    expect(wallMs).toBeLessThan(TIMEOUT_MS * 6);
    if ("kind" in want) {
      expect(result.ok ? result : result.error.kind, JSON.stringify(result).slice(0, 600)).toBe(want.kind);
      if (!result.ok) expect(result.error.message.length).toBeGreaterThan(0);
    } else {
      expect(result.ok, JSON.stringify(result).slice(0, 600)).toBe(true);
      if (result.ok) want.ok(result);
    }
  });

  it("leaves nothing running in a warm sandbox but its supervisor", () => {
    const counts = supervisorsPerSandbox(runner.processTag);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.length).toBeLessThanOrEqual(6);
    expect(counts.every((n) => n === 1)).toBe(true);
  });

  it("leaves no process at all once the runner is closed", async () => {
    await runner.close();
    await vi.waitFor(() => expect(processesWithTag(runner.processTag)).toEqual([]), {
      timeout: 200,
      interval: 20,
    });
  });

  it("tracebacks point at the strategy's own line", () => {
    const { result } = results.get("ordinary deep recursion")!;
    expect(!result.ok && result.error.traceback).toContain('File "<strategy>"');
  });

  it("the host still runs a normal strategy afterwards", async () => {
    const result = await runner.runLive({ code: strategy(`return Signal.buy(reason="fine")`), candles });
    expect(result.ok && result.signal.reason).toBe("fine");
  });
});

describe("a warm sandbox between runs", () => {
  const replaced: string[] = [];
  const one = createStrategyRunner({
    maxConcurrent: 1,
    limits: { liveTimeoutMs: 1_000 },
    onSandbox: (e) => void (e.type === "replaced" && replaced.push(e.reason)),
  });
  const fine = () => one.runLive({ code: strategy(`return Signal.buy(reason="fine")`), candles });
  afterAll(() => one.close());

  it("kills what a run left running, even past the guard", async () => {
    const result = await one.runLive({
      code: strategy(
        `${GUARD_OFF}\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(600)\n    os._exit(0)\nreturn Signal.hold("forked")`,
      ),
      candles,
    });
    expect(result.ok && result.signal.reason).toBe("forked");
    // The sandbox is swept (and replaced, as the run was unclean): soon one supervisor alone, never a survivor.
    await eventually(() => String(supervisorsPerSandbox(one.processTag)) === "1");
    expect(supervisorsPerSandbox(one.processTag)).toEqual([1]);
    expect(replaced).toEqual(["unclean"]);
  });

  it("gives the next run an empty /tmp, even past the guard", async () => {
    const wrote = await one.runLive({
      code: strategy(
        `${GUARD_OFF}\nopen("/tmp/left-behind", "w").write("for the next run")\nreturn Signal.hold(str(os.listdir("/tmp")))`,
      ),
      candles,
    });
    expect(wrote.ok && wrote.signal.reason).toBe("['left-behind']");
    const next = await one.runLive({
      code: strategy(`return Signal.hold(str(os.listdir("/tmp")))`),
      candles,
    });
    expect(next.ok && next.signal.reason).toBe("[]");
  });

  it("a strategy that kills its supervisor ends only its own run", async () => {
    const result = await one.runLive({
      code: strategy(`${GUARD_OFF}\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(5)`),
      candles,
    });
    expect(!result.ok && result.error.kind).toBe("sandbox");
    expect(!result.ok && result.error.message).toMatch(/supervisor was killed/);
    expect(replaced.at(-1)).toBe("lost");
    expect(await fine()).toMatchObject({ ok: true, signal: { reason: "fine" } });
  });

  it("a strategy that stops its supervisor is killed with its sandbox at the backstop", async () => {
    const started = performance.now();
    const result = await one.runLive({
      code: strategy(`${GUARD_OFF}\nos.kill(os.getppid(), signal.SIGSTOP)\ntime.sleep(30)`),
      candles,
    });
    expect(!result.ok && result.error.kind).toBe("timeout");
    // The run's 1 s limit plus the backstop's grace, not the strategy's 30 s.
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(await fine()).toMatchObject({ ok: true, signal: { reason: "fine" } });
  });

  it("is replaced by a fresh one after runsPerSandbox runs", async () => {
    const events: string[] = [];
    const twice = createStrategyRunner({
      maxConcurrent: 1,
      runsPerSandbox: 2,
      onSandbox: (e) =>
        void events.push(e.type === "started" ? `started ${e.preload}` : `replaced ${e.reason}`),
    });
    const ok = () => twice.runLive({ code: strategy(`return Signal.hold("ok")`), candles });
    try {
      expect((await ok()).ok).toBe(true);
      const [first] = pythonProcesses(twice.processTag);
      expect((await ok()).ok).toBe(true);
      expect(await eventually(() => pythonProcesses(twice.processTag).some((p) => p.pid !== first.pid))).toBe(
        true,
      );
      expect(pythonProcesses(twice.processTag).map((p) => p.pid)).not.toContain(first.pid);
      expect((await ok()).ok).toBe(true);
      expect(events).toEqual(["started lean", "replaced worn", "started lean"]);
    } finally {
      await twice.close();
    }
  });
});
