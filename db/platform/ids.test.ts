import { newId, newIds } from "./ids";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("ids", () => {
  it("are UUIDv7 carrying their millisecond", () => {
    const id = newId(1_700_000_000_123);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBeGreaterThanOrEqual(1_700_000_000_123);
  });

  it("increase strictly within one millisecond and across a batch", () => {
    const t = Date.now() + 60_000;
    const ids = [newId(t), ...newIds(5000, t), newId(t)];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
