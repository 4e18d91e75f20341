import { clientOrderId } from "./client-order-id";

const BINANCE_RULE = /^[.A-Z:/a-z0-9_-]{1,36}$/;

describe("clientOrderId", () => {
  it("fits Binance's length and charset (and 32 alphanumerics for stricter venues)", () => {
    const id = clientOrderId("6f1c2c2e-0b7a-4f7e-9d0e-3a9d9c1b7e21", "b0f1d6a4-8e53-4d3c-bc3e-1b2a9c0d5e77");
    expect(id).toMatch(BINANCE_RULE);
    expect(id).toMatch(/^cc[0-9a-f]{30}$/);
  });

  it("is deterministic", () => {
    expect(clientOrderId("sub-1", "exec-1")).toBe(clientOrderId("sub-1", "exec-1"));
  });

  it("differs when either part differs, including at the join", () => {
    const ids = new Set([
      clientOrderId("sub-1", "exec-1"),
      clientOrderId("sub-2", "exec-1"),
      clientOrderId("sub-1", "exec-2"),
      clientOrderId("sub-1:exec", "-1"),
      clientOrderId("sub-1", ":exec-1"),
      clientOrderId("sub-1", "exec-1", "close"),
      clientOrderId("sub-1", "exec-1", "open"),
    ]);
    expect(ids.size).toBe(7);
  });

  it("has no collision over 100,000 executions of one subscription", () => {
    const ids = new Set(Array.from({ length: 100_000 }, (_, i) => clientOrderId("sub", `exec-${i}`)));
    expect(ids.size).toBe(100_000);
  });
});
