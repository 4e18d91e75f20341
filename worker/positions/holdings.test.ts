// The positions check's rule: base asset, longs add and shorts (spot sells) subtract, the first check's baseline kept.
import { baseAsset, checkAsset, netOpenQuantity } from "./holdings";

const book = {
  open: [
    { symbol: "BTC/USDT", side: "LONG" as const, quantity: 0.5 },
    { symbol: "BTC/USDT", side: "SHORT" as const, quantity: 0.2 },
    { symbol: "ETH/USDT", side: "LONG" as const, quantity: 3 },
  ],
  inFlight: [],
};
const at = (found: number, previous?: ReturnType<typeof checkAsset>) =>
  checkAsset({ accountId: "a", asset: "BTC", book, found, previous, now: 5 });

it("names the base asset and nets longs against spot shorts of it", () => {
  expect(baseAsset("BTC/USDT")).toBe("BTC");
  expect(netOpenQuantity(book, "BTC")).toBeCloseTo(0.3, 12);
  expect(netOpenQuantity(book, "ETH")).toBe(3);
  expect(netOpenQuantity(book, "SOL")).toBe(0);
});

it("a first check takes the holdings beside the trades as the baseline; later checks compare with it", () => {
  const first = at(10.3);
  expect(first).toMatchObject({ baseline: 10, differs: false, checkedAt: 5 });
  expect(first.expected).toBeCloseTo(10.3, 12);
  expect(at(10.3 + 1e-12, first).differs).toBe(false);
  const moved = at(10.8, first);
  expect(moved).toMatchObject({ baseline: 10, found: 10.8, differs: true });
  expect(moved.expected).toBeCloseTo(10.3, 12);
});
