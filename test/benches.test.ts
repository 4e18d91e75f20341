// Every bench runs from what `npm ci` installs: each through the real entry at its quick size (BENCH_QUICK=1), with
// only the node binary's directory and /usr/bin (minus wrk) on PATH, and ends with a JSON line holding floor and ratio.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/build-if-needed";
import { SANDBOX_INSTALL_LINE } from "../worker/runtime";

const BENCHES = readdirSync(join(ROOT, "bench"))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.replace(/\.ts$/, ""));

let home: string;
let path: string;

/** A directory with a link to everything in the node binary's directory and /usr/bin but wrk. */
function pathWithoutWrk(dir: string): string {
  const bin = join(dir, "bin");
  mkdirSync(bin);
  for (const source of [dirname(process.execPath), "/usr/bin"]) {
    for (const name of readdirSync(source)) {
      if (name === "wrk" || existsSync(join(bin, name))) continue;
      symlinkSync(join(source, name), join(bin, name));
    }
  }
  return bin;
}

function runBench(name: string, env: Record<string, string> = {}, args: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), ["bench/run.ts", name, ...args], {
      cwd: ROOT,
      env: { ...process.env, PATH: path, BENCH_QUICK: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "candlecast-benches-"));
  path = pathWithoutWrk(home);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("benches on the project's own tools", () => {
  it("covers every bench, and wrk is not on the PATH they get", () => {
    expect(BENCHES).toEqual(
      expect.arrayContaining([
        "author",
        "boundary",
        "fanout",
        "fanout-write",
        "infra",
        "market-data",
        "pattern-ab",
        "runtime",
        "web",
      ]),
    );
    expect(existsSync(join(path, "wrk"))).toBe(false);
    expect(existsSync(join(path, "node"))).toBe(true);
  });

  it.each(BENCHES)("%s ends with one JSON line holding its floor and a positive ratio", async (name) => {
    const { code, stdout, stderr } = await runBench(name);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const last = stdout.trim().split("\n").at(-1)!;
    const result = JSON.parse(last) as { bench: string; floor: number; ratio: number };
    expect(result.bench).toBe(name);
    expect(result.floor).toBeGreaterThan(0);
    expect(result.ratio).toBeGreaterThan(0);
    expect(Number.isFinite(result.ratio)).toBe(true);
  });

  it("a bench that needs what is missing says what to install, and runs nothing", async () => {
    const { code, stdout } = await runBench("infra", {
      REDIS_URL: "redis://127.0.0.1:1",
      TEST_REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(code).toBe(1);
    expect(stdout).toContain("bench infra cannot run here");
    expect(stdout).toContain("redis: connect ECONNREFUSED 127.0.0.1:1");
    expect(stdout).toContain("Install: sudo apt-get install redis-server");
    expect(stdout).not.toContain('"bench"');
  });

  it("a bad flag is named, and nothing is measured", async () => {
    const { code, stdout } = await runBench("fanout-write", {}, ["--n", "1000,ten"]);
    expect(code).toBe(1);
    expect(stdout.trim()).toBe(
      'bench fanout-write: --n must be comma-separated positive numbers, got "1000,ten"',
    );
  });

  it("without the sandbox's interpreter, a sandboxed bench names the packages to install", async () => {
    const { code, stdout } = await runBench("runtime", { PYTHON: "/nonexistent/python3" });
    expect(code).toBe(1);
    expect(stdout).toContain("PYTHON /nonexistent/python3 does not exist");
    expect(stdout).toContain(`Install: ${SANDBOX_INSTALL_LINE}`);
  });
});
