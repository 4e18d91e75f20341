import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) } },
  test: {
    globals: true,
    include: ["{app,db,worker,scripts,server,test}/**/*.test.{ts,tsx}"],
    // The chaos run (a few minutes of faults) is its own command: npm run test:chaos.
    exclude: ["node_modules", "build", "data", ...(process.env.CHAOS ? [] : ["test/chaos/**"])],
    setupFiles: ["./test/setup.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A poll waits for what it expects; under a loaded 2-core CI machine a page can take seconds to hydrate.
    expect: { poll: { timeout: 20_000 } },
    pool: "forks",
  },
});
