// Isolated-margin liquidation and bankruptcy prices, worked by hand, and odd input.
import { bankruptcyPrice, liquidationPrice, MAINTENANCE_MARGIN_RATE } from "./liquidation";

describe("liquidationPrice and bankruptcyPrice", () => {
  it.each([
    // 100 × (1 − 1/10 + 0.005) = 90.5; bankrupt at 100 × 0.9 = 90.
    { side: "LONG", entry: 100, leverage: 10, liquidation: 90.5, bankruptcy: 90 },
    // 100 × (1 + 1/10 − 0.005) = 109.5; bankrupt at 110.
    { side: "SHORT", entry: 100, leverage: 10, liquidation: 109.5, bankruptcy: 110 },
    // 1×: a long is liquidated at 0.5 % of entry and bankrupt at 0; a short at 199.5 and 200.
    { side: "LONG", entry: 100, leverage: 1, liquidation: 0.5, bankruptcy: 0 },
    { side: "SHORT", entry: 100, leverage: 1, liquidation: 199.5, bankruptcy: 200 },
    // 20×: 100 × (1 − 0.05 + 0.005) = 95.5.
    { side: "LONG", entry: 100, leverage: 20, liquidation: 95.5, bankruptcy: 95 },
    // 5×, the risk form's example (app/components/subscription-risk-fields.tsx): a 19.5 % move.
    { side: "LONG", entry: 100, leverage: 5, liquidation: 80.5, bankruptcy: 80 },
    { side: "SHORT", entry: 100, leverage: 5, liquidation: 119.5, bankruptcy: 120 },
  ] as const)("$side at $leverage×: liquidated at $liquidation, booked at $bankruptcy", (row) => {
    expect(liquidationPrice(row.side, row.entry, row.leverage)).toBeCloseTo(row.liquidation, 12);
    expect(bankruptcyPrice(row.side, row.entry, row.leverage)).toBeCloseTo(row.bankruptcy, 12);
  });

  it("states its maintenance margin", () => {
    expect(MAINTENANCE_MARGIN_RATE).toBe(0.005);
  });

  it.each([
    { name: "NaN entry", entry: NaN, leverage: 5 },
    { name: "zero entry", entry: 0, leverage: 5 },
    { name: "negative entry", entry: -100, leverage: 5 },
    { name: "infinite entry", entry: Infinity, leverage: 5 },
    { name: "NaN leverage", entry: 100, leverage: NaN },
    { name: "zero leverage", entry: 100, leverage: 0 },
    { name: "negative leverage", entry: 100, leverage: -2 },
    { name: "infinite leverage", entry: 100, leverage: Infinity },
  ])("no price for $name", ({ entry, leverage }) => {
    for (const side of ["LONG", "SHORT"] as const) {
      expect(liquidationPrice(side, entry, leverage)).toBeNull();
      expect(bankruptcyPrice(side, entry, leverage)).toBeNull();
    }
  });

  const m = MAINTENANCE_MARGIN_RATE;
  it.each([
    {
      name: "a long below 1× never reaches a positive level",
      side: "LONG",
      entry: 100,
      leverage: 0.5,
      mmr: m,
      expected: null,
    },
    { name: "a NaN maintenance margin", side: "LONG", entry: 100, leverage: 5, mmr: NaN, expected: null },
    {
      name: "a negative maintenance margin",
      side: "SHORT",
      entry: 100,
      leverage: 5,
      mmr: -0.1,
      expected: null,
    },
    {
      name: "no maintenance margin: the bankruptcy price",
      side: "SHORT",
      entry: 100,
      leverage: 5,
      mmr: 0,
      expected: 120,
    },
    { name: "huge entry stays finite", side: "LONG", entry: 1e300, leverage: 2, mmr: m, expected: 0.505e300 },
  ] as const)("$name", ({ side, entry, leverage, mmr, expected }) => {
    const price = liquidationPrice(side, entry, leverage, mmr);
    if (expected === null) expect(price).toBeNull();
    else expect(price! / expected).toBeCloseTo(1, 12);
  });
});
