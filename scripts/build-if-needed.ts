// Builds the Remix app when there is no build yet, or when app/ changed after the last build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUILD_FILE = join(ROOT, "build", "index.js");

export function buildIfNeeded(log: (msg: string) => void = () => {}) {
  const changed = (dir: string) =>
    spawnSync("find", [join(ROOT, dir), "-newer", BUILD_FILE, "-print", "-quit"], {
      encoding: "utf8",
    }).stdout.trim() !== "";
  const stale = !existsSync(BUILD_FILE) || changed("app") || changed("db");
  if (!stale) return;
  log("building the web app (remix build)...");
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "remix"), ["build"], {
    cwd: ROOT,
    stdio: "inherit",
    // Always a production build: the tests (NODE_ENV=test) and `npm start` serve the same bundle.
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error("remix build failed");
}
