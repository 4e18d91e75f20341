import { createScaledClock } from "./scaled-clock";

describe("createScaledClock", () => {
  it("at scale 60 one real second is one simulated minute", () => {
    let real = 1_000_000;
    const clock = createScaledClock({ scale: 60, realNow: () => real });
    expect(clock.now()).toBe(1_000_000);
    real += 1_000;
    expect(clock.now()).toBe(1_000_000 + 60_000);
    expect(clock.toRealMs(60_000)).toBe(1_000);
  });

  it("scales from an explicit anchor, so simulated time can run ahead of the real one", () => {
    const clock = createScaledClock({
      scale: 10,
      anchor: { real: 500, simulated: 9_000 },
      realNow: () => 600,
    });
    expect(clock.now()).toBe(9_000 + 100 * 10);
    expect(clock.since).toBe(9_000);
  });

  it("at scale 1 is the real clock", () => {
    let real = 42;
    const clock = createScaledClock({ scale: 1, realNow: () => real });
    real = 1_042;
    expect(clock.now()).toBe(1_042);
  });

  it("rejects a non-positive scale", () => {
    expect(() => createScaledClock({ scale: 0 })).toThrow(RangeError);
    expect(() => createScaledClock({ scale: Number.NaN })).toThrow(RangeError);
  });
});
