import { describe, expect, it } from "vitest";
import { safeRedirect } from "./session.server";

const FALLBACK = "/fallback";

describe("safeRedirect", () => {
  it.each([
    ["/subscriptions", "/subscriptions"],
    ["/strategies/abc?tab=backtests#top", "/strategies/abc?tab=backtests#top"],
    ["/a/../b", "/b"],
    ["/search?q=a%20b", "/search?q=a%20b"],
  ])("keeps the local path %s as %s", (input, expected) => {
    expect(safeRedirect(input, FALLBACK)).toBe(expected);
  });

  it.each([
    ["//evil.example"],
    ["/\\evil.example"],
    ["/%09/evil.example"],
    ["/%2F/evil.example"],
    ["/%5Cevil.example"],
    ["/\t/evil.example"],
    ["/a\nLocation: x"],
    ["/a%0d%0aSet-Cookie:x=1"],
    ["javascript:alert(1)"],
    ["https://evil.example/"],
    ["evil.example"],
    ["/%E0%A4%A"],
    [""],
    [null],
    [undefined],
  ])("refuses %j", (input) => {
    expect(safeRedirect(input, FALLBACK)).toBe(FALLBACK);
  });
});
