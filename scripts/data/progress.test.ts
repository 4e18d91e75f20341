// The download's progress: a redrawn bar with an ETA on a terminal, throttled plain lines elsewhere (clock driven by hand).
import { createProgress, formatDuration } from "./progress";

function harness(isTTY: boolean) {
  const written: string[] = [];
  let now = 1_000_000;
  const progress = createProgress({
    total: 4_000,
    out: { isTTY, write: (text: string) => written.push(text) },
    now: () => now,
  });
  return { progress, written, tick: (ms: number) => (now += ms) };
}

describe("download progress", () => {
  it("on a terminal, redraws one line with a bar, the counts and an ETA from the pace so far", () => {
    const { progress, written, tick } = harness(true);
    tick(2_000);
    progress.advance(1_000, "BTC/USDT 2024-02-11 15:00");
    expect(written.at(-1)).toBe(
      `\r\x1b[2K[${"█".repeat(8)}${"░".repeat(22)}] 25% 1,000/4,000 candles  BTC/USDT 2024-02-11 15:00  ETA 0:06`,
    );
    progress.note("binance 503; asking again in 250 ms");
    // The note gets its own line above the bar, which is drawn again below it.
    expect(written.slice(-2)).toEqual([
      "\r\x1b[2Kbinance 503; asking again in 250 ms\n",
      expect.stringContaining("] 25% 1,000/4,000 candles"),
    ]);
    tick(6_000);
    progress.advance(3_000, "ETH/USDT 2024-03-01 00:00");
    expect(written.at(-1)).toMatch(/\] 100% 4,000\/4,000 candles {2}ETH\/USDT 2024-03-01 00:00 {2}done in 0:08$/);
    progress.end();
    expect(written.at(-1)).toBe("\n");
  });

  it("without a terminal, writes plain lines at most once a second, and always the last one", () => {
    const { progress, written, tick } = harness(false);
    tick(500);
    progress.advance(1_000, "BTC/USDT a");
    tick(300);
    progress.advance(1_000, "BTC/USDT b");
    tick(800);
    progress.advance(1_000, "BTC/USDT c");
    tick(100);
    progress.advance(1_000, "BTC/USDT d");
    progress.end();
    expect(written).toEqual([
      "download 25% 1,000/4,000 candles BTC/USDT a ETA 0:02\n",
      "download 75% 3,000/4,000 candles BTC/USDT c ETA 0:01\n",
      "download 100% 4,000/4,000 candles BTC/USDT d done in 0:02\n",
    ]);
    expect(written.join("")).not.toContain("\r");
  });

  it("formats durations as m:ss or h:mm:ss", () => {
    expect(formatDuration(75_000)).toBe("1:15");
    expect(formatDuration(3_725_000)).toBe("1:02:05");
    expect(formatDuration(400)).toBe("0:00");
  });
});
