// Password hashing: round trip, and a bound on the work a flood of log-ins can start in one process.
import { hashPassword, PasswordCheckBusyError, verifyPassword } from "./password";

describe("password", () => {
  it("verifies the right password and refuses another or a malformed hash", async () => {
    const stored = await hashPassword("correct horse", 1000);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("wrong horse", stored)).toBe(false);
    expect(await verifyPassword("correct horse", "md5$abc")).toBe(false);
  });

  it("runs 2 derivations at once, queues 64 more, and refuses the rest as busy", async () => {
    const stored = await hashPassword("p", 1000);
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => verifyPassword("p", stored)));
    const busy = results.filter((r) => r.status === "rejected");
    expect(busy).toHaveLength(100 - 2 - 64);
    for (const r of busy) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PasswordCheckBusyError);
    expect(results.filter((r) => r.status === "fulfilled" && r.value === true)).toHaveLength(66);
    // Once the queue drains, checks run again.
    expect(await verifyPassword("p", stored)).toBe(true);
  });
});
