// Every test file fails on an unexpected console.error (docs/style.md 12): expected errors are asserted, not printed.
import { afterEach, vi } from "vitest";

const consoleError = vi.spyOn(console, "error");

afterEach(() => {
  const calls = consoleError.mock.calls.slice();
  consoleError.mockClear();
  if (calls.length > 0) {
    throw new Error(`Unexpected console.error:\n${calls.map((c) => c.map(String).join(" ")).join("\n")}`);
  }
});
