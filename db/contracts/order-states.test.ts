// Every pair of states, allowed or refused: the one table of the order state machine.
import { isFinal, ORDER_STATES, predecessorsOf, transition, type OrderState } from "./order-states";

const ALLOWED: [OrderState, OrderState][] = [
  ["pending", "sent"],
  ["pending", "void"],
  ...(["open", "partially_filled", "filled", "cancelled", "rejected", "unknown", "void"] as const).map(
    (to) => ["sent", to] as [OrderState, OrderState],
  ),
  ...(["open", "partially_filled", "filled", "cancelled", "rejected", "void"] as const).map(
    (to) => ["unknown", to] as [OrderState, OrderState],
  ),
  ["open", "partially_filled"],
  ["open", "filled"],
  ["open", "cancelled"],
  ["open", "unknown"],
  ["partially_filled", "partially_filled"],
  ["partially_filled", "filled"],
  ["partially_filled", "cancelled"],
  ["partially_filled", "unknown"],
];
const key = (from: OrderState, to: OrderState) => `${from}->${to}`;
const allowed = new Set(ALLOWED.map(([from, to]) => key(from, to)));
const ALL = ORDER_STATES.flatMap((from) => ORDER_STATES.map((to) => [from, to] as const));

describe("order state machine", () => {
  it.each(ALL.filter(([f, t]) => allowed.has(key(f, t))))("%s -> %s is allowed", (from, to) => {
    expect(transition(from, to)).toEqual({ ok: true });
  });

  it.each(ALL.filter(([f, t]) => !allowed.has(key(f, t))))(
    "%s -> %s is refused with a reason",
    (from, to) => {
      const result = transition(from, to);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(from);
    },
  );

  it("never re-sends: nothing goes back to pending, and an unknown order is never sent again", () => {
    for (const from of ORDER_STATES) expect(transition(from, "pending").ok).toBe(false);
    expect(transition("unknown", "sent").ok).toBe(false);
    expect(predecessorsOf("sent")).toEqual(["pending"]);
  });

  it("filled, cancelled, rejected and void are final", () => {
    expect(ORDER_STATES.filter(isFinal)).toEqual(["filled", "cancelled", "rejected", "void"]);
  });
});
