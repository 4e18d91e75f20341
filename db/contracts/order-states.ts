// The exchange order state machine: every state an order intent can be in and the one table of moves
// between them, shared by the worker (what to do next) and the store (the conditional update that fences).

export const ORDER_STATES = [
  /** Committed with its trade, not yet sent. */
  "pending",
  /** Claimed by one sender; the request is (or was) on the wire. */
  "sent",
  "open",
  "partially_filled",
  "filled",
  "cancelled",
  "rejected",
  /** An ambiguous answer (timeout, reset, 5xx): it may exist; only a look-up decides, never a re-send. */
  "unknown",
  /** Never reached the exchange and too late to send. */
  "void",
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/**
 * An order opens a trade's position or closes it at market; `stop` and `take_profit` are the two legs of
 * the OCO pair that rests on the exchange once the entry has filled (the first to fill closes the trade).
 */
export const ORDER_LEGS = ["open", "close", "stop", "take_profit"] as const;
export type OrderLeg = (typeof ORDER_LEGS)[number];
export const PROTECTIVE_LEGS = ["stop", "take_profit"] as const satisfies readonly OrderLeg[];
export type ProtectiveLeg = (typeof PROTECTIVE_LEGS)[number];
export const isProtective = (leg: OrderLeg): leg is ProtectiveLeg => leg === "stop" || leg === "take_profit";

/** What each leg is called on the pages. */
export const ORDER_LEG_LABEL: Record<OrderLeg, string> = {
  open: "Entry order",
  close: "Exit order",
  stop: "Stop-loss",
  take_profit: "Take-profit",
};

const MOVES: Record<OrderState, readonly OrderState[]> = {
  pending: ["sent", "void"],
  sent: ["open", "partially_filled", "filled", "cancelled", "rejected", "unknown", "void"],
  unknown: ["open", "partially_filled", "filled", "cancelled", "rejected", "void"],
  open: ["partially_filled", "filled", "cancelled", "unknown"],
  partially_filled: ["partially_filled", "filled", "cancelled", "unknown"],
  filled: [],
  cancelled: [],
  rejected: [],
  void: [],
};

export type Transition = { ok: true } | { ok: false; reason: string };

/** Whether an order may move from `from` to `to`; a refusal says why. */
export function transition(from: OrderState, to: OrderState): Transition {
  if (MOVES[from].includes(to)) return { ok: true };
  if (MOVES[from].length === 0) return { ok: false, reason: `a ${from} order is final` };
  return { ok: false, reason: `a ${from} order cannot become ${to} (only ${MOVES[from].join(", ")})` };
}

export const isFinal = (state: OrderState) => MOVES[state].length === 0;

/** The states an order may be in for a move to `to`: the WHERE clause of the store's conditional update. */
export const predecessorsOf = (to: OrderState): OrderState[] =>
  ORDER_STATES.filter((from) => MOVES[from].includes(to));

/** What each state means to a subscriber, in plain words (the subscription page). */
export const ORDER_STATE_TEXT: Record<OrderState, { label: string; meaning: string }> = {
  pending: { label: "Waiting to send", meaning: "Recorded with the trade; it goes to the exchange next." },
  sent: { label: "Sent", meaning: "On its way to the exchange; the answer has not come back yet." },
  open: { label: "Working", meaning: "The exchange holds the order and has filled none of it yet." },
  partially_filled: {
    label: "Partly filled",
    meaning: "The exchange has filled part of it; the rest is still working.",
  },
  filled: {
    label: "Filled",
    meaning: "The exchange filled it; the trade shows the exchange's prices and fees.",
  },
  cancelled: { label: "Cancelled", meaning: "Cancelled before it filled." },
  rejected: { label: "Refused", meaning: "The exchange refused it (for example, not enough balance)." },
  unknown: {
    label: "Checking",
    meaning:
      "The exchange's answer was lost (a timeout or a dropped connection), so it may or may not have traded. It is never sent again; Candlecast looks it up on the exchange and records what it finds.",
  },
  void: {
    label: "Never placed",
    meaning:
      "It never reached the exchange, and it was too late to send it safely, so nothing traded. A void entry takes the trade out; a void exit leaves the position open.",
  },
};
