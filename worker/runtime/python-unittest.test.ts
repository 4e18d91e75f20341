// Runs the Python SDK's unittest suite (indicators, examples, parity, host checks) with the real interpreter, so `npm test` covers it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

it("python/tests passes under /usr/bin/python3 -I -S", () => {
  const run = spawnSync(
    "/usr/bin/python3",
    ["-I", "-S", "-m", "unittest", "discover", "-s", "python/tests", "-t", "python"],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: {} as NodeJS.ProcessEnv,
      timeout: 120_000,
    },
  );
  expect(run.status, run.stderr.slice(-4000)).toBe(0);
  expect(run.stderr).toMatch(/Ran \d+ tests/);
  expect(Number(/Ran (\d+) tests/.exec(run.stderr)?.[1])).toBeGreaterThanOrEqual(30);
  expect(run.stderr).toMatch(/\nOK/);
});
