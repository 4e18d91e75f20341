// Performance statistics against figures worked out by hand (the arithmetic is in the comments).
import {
  cagrPct,
  calmarRatio,
  dailyReturns,
  downsample,
  equityBasisOf,
  equityFromTrades,
  equityStats,
  exposurePct,
  markedEquity,
  maxDrawdownPct,
  performanceFromTrades,
  sharpeRatio,
  sortinoRatio,
  tradeFigures,
  tradeStats,
  type MarkedPosition,
} from "./performance";

const DAY = 86_400_000;
const noon = (day: number) => day * DAY + DAY / 2;

describe("performanceFromTrades", () => {
  const cases = [
    {
      name: "no trades",
      trades: [],
      expected: {
        returnPct: 0,
        winRate: null,
        profitFactor: null,
        maxDrawdownPct: 0,
        sharpe: null,
        sortino: null,
        trades: 0,
      },
    },
    {
      // Equity 100 -> 110 -> 105 -> 125 -> 115. Return 15 %. Wins 2/4. PF 30/15 = 2.
      // Drawdowns: 110 -> 105 = 4.55 %, 125 -> 115 = 8 %.
      // Daily returns: .1, 105/110-1 = -.045455, 125/105-1 = .190476, 115/125-1 = -.08; mean .041255,
      // sample sd .126411 -> Sharpe .041255/.126411 * sqrt(365) = 6.2351.
      // Downside deviation sqrt((.045455² + .08²)/4) = .046006 -> Sortino .041255/.046006 * sqrt(365) = 17.1323.
      name: "one trade a day, two wins, two losses",
      trades: [
        { closedAt: noon(0), pnl: 10 },
        { closedAt: noon(1), pnl: -5 },
        { closedAt: noon(2), pnl: 20 },
        { closedAt: noon(3), pnl: -10 },
      ],
      expected: {
        returnPct: 15,
        winRate: 0.5,
        profitFactor: 2,
        maxDrawdownPct: 8,
        sharpe: 6.2351,
        sortino: 17.1323,
        trades: 4,
      },
    },
    {
      // Days 0 and 3 trade, days 1-2 are flat: daily returns .1, 0, 0, 100/110-1 = -.090909.
      // Mean .0022727, sample sd .0779825 -> Sharpe .5568; downside sqrt(.090909²/4) = .0454545 -> Sortino .9552.
      name: "days without trades count as flat days",
      trades: [
        { closedAt: noon(0), pnl: 10 },
        { closedAt: noon(3), pnl: -10 },
      ],
      expected: {
        returnPct: 0,
        winRate: 0.5,
        profitFactor: 1,
        maxDrawdownPct: 9.0909,
        sharpe: 0.5568,
        sortino: 0.9552,
        trades: 2,
      },
    },
    {
      // A break-even trade is neither a win nor a loss; one day only: no Sharpe.
      name: "break-even trade on a single day",
      trades: [
        { closedAt: noon(5), pnl: 0 },
        { closedAt: noon(5) + 1, pnl: 4 },
        { closedAt: noon(5) + 2, pnl: -2 },
      ],
      expected: {
        returnPct: 2,
        winRate: 1 / 3,
        profitFactor: 2,
        maxDrawdownPct: 1.9231,
        sharpe: null,
        sortino: null,
        trades: 3,
      },
    },
    {
      name: "only winners: profit factor undefined, no drawdown",
      trades: [
        { closedAt: noon(0), pnl: 5 },
        { closedAt: noon(1), pnl: 5 },
      ],
      // Daily returns .05 and 110/105-1 = .047619: no negative return, so Sortino is undefined.
      expected: {
        returnPct: 10,
        winRate: 1,
        profitFactor: null,
        maxDrawdownPct: 0,
        sortino: null,
        trades: 2,
      },
    },
  ];

  it.each(cases)("$name", ({ trades, expected }) => {
    const stats = performanceFromTrades(trades, 100);
    for (const [key, value] of Object.entries(expected)) {
      const actual = stats[key as keyof typeof stats];
      if (value === null) expect(actual, key).toBeNull();
      else expect(actual, key).toBeCloseTo(value as number, 3);
    }
  });

  it("orders trades by close time whatever order they come in", () => {
    const stats = performanceFromTrades(
      [
        { closedAt: noon(2), pnl: -30 },
        { closedAt: noon(1), pnl: 50 },
      ],
      100,
    );
    // 100 -> 150 -> 120: drawdown 20 % of the 150 peak.
    expect(stats.equity.map((p) => p.value)).toEqual([100, 150, 120]);
    expect(stats.maxDrawdownPct).toBeCloseTo(20, 6);
  });

  it("says its figures are on the closed-trade curve when no marked curve is given", () => {
    expect(performanceFromTrades([{ closedAt: noon(1), pnl: 5 }], 100).equityBasis).toBe("closed");
  });

  it.each([
    [{ equityBasis: "closed", closedMaxDrawdownPct: 3 }, "closed"],
    [{ equityBasis: "marked" }, "marked"],
    // Stored before the flag: ADR 127's backtests (closed drawdown beside) were marked, older ones not.
    [{ closedMaxDrawdownPct: 3 }, "marked"],
    [{ closedMaxDrawdownPct: null }, "closed"],
    [{ maxDrawdownPct: 3 }, "closed"],
    [{ equityBasis: "bogus", closedMaxDrawdownPct: 0 }, "marked"],
  ] as [Record<string, unknown>, string][])("equityBasisOf(%j) is %s", (stats, basis) => {
    expect(equityBasisOf(stats)).toBe(basis);
  });
});

describe("building blocks", () => {
  it("starts the equity curve at the given start time", () => {
    expect(equityFromTrades([{ closedAt: 50, pnl: 1 }], 10, 7)).toEqual([
      { time: 7, value: 10 },
      { time: 50, value: 11 },
    ]);
    expect(equityFromTrades([], 10)).toEqual([]);
  });

  it.each([
    { values: [100, 120, 90, 130, 65], expected: 50 },
    { values: [100, 80], expected: 20 },
    { values: [100, 101, 102], expected: 0 },
    { values: [], expected: 0 },
  ])("max drawdown of $values is $expected %", ({ values, expected }) => {
    expect(maxDrawdownPct(values)).toBeCloseTo(expected, 9);
  });

  it("computes daily returns from each UTC day's last value", () => {
    const points = [
      { time: noon(0), value: 100 },
      { time: noon(0) + 1000, value: 110 },
      { time: noon(2), value: 99 },
    ];
    const r = dailyReturns(points);
    expect(r).toHaveLength(3);
    expect(r[0]).toBeCloseTo(0.1, 9);
    expect(r[1]).toBe(0);
    expect(r[2]).toBeCloseTo(-0.1, 9);
  });

  it("has no Sharpe or Sortino without variation or with fewer than two periods", () => {
    expect(sharpeRatio([0.01])).toBeNull();
    expect(sharpeRatio([0.01, 0.01, 0.01])).toBeNull();
    expect(sortinoRatio([0.01, 0.02])).toBeNull();
    // Mean .005, sample sd .0070711 -> .7071 per period, unannualised with periodsPerYear 1.
    expect(sharpeRatio([0.01, 0], 1)).toBeCloseTo(0.7071, 4);
  });

  it("counts wins, losses and profit factor from signs", () => {
    expect(tradeStats([3, -1, -2, 0])).toEqual({ trades: 4, winRate: 0.25, profitFactor: 1 });
    expect(tradeStats([])).toEqual({ trades: 0, winRate: null, profitFactor: null });
  });

  it("downsamples keeping the first and the last value", () => {
    expect(downsample([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(downsample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([0, 3, 6, 9]);
  });
});

describe("marked to market", () => {
  // One LONG of 1 unit entered at 100 (no fee): under water at 90, closed at 105 for +5.
  const long: MarkedPosition = { symbol: "X", openedAt: 1, closedAt: 3, pnl: 5, perUnit: 1, offset: 100 };
  const marks = [
    { time: 1, symbol: "X", price: 100 },
    { time: 2, symbol: "X", price: 90 },
    { time: 3, symbol: "X", price: 105 },
    { time: 4, symbol: "X", price: 50 },
  ];

  it("values the open position at each close, then its realised P&L", () => {
    expect(markedEquity(100, [long], marks, 0).map((p) => [p.time, p.value])).toEqual([
      [0, 100],
      [1, 100],
      [2, 90],
      [3, 105],
      [4, 105],
    ]);
  });

  it("shows the drawdown of a trade that went deep under water and closed at a profit", () => {
    const trades = [{ openedAt: 1, closedAt: 3, pnl: 5 }];
    const stats = performanceFromTrades(trades, 100, 0, { marked: markedEquity(100, [long], marks, 0) });
    expect(stats.maxDrawdownPct).toBeCloseTo(10, 9);
    expect(stats.closedMaxDrawdownPct).toBe(0);
    expect(stats.equityBasis).toBe("marked");
    expect(stats.returnPct).toBeCloseTo(5, 9);
    // Open from 1 to 3 of the period 0 to 4.
    expect(stats.exposurePct).toBeCloseTo(50, 9);
  });

  it("marks a short against its entry and each market at its own latest close", () => {
    const short: MarkedPosition = {
      symbol: "Y",
      openedAt: 1,
      closedAt: null,
      pnl: 0,
      perUnit: -2,
      offset: -40,
    };
    const points = markedEquity(
      100,
      [long, short],
      [...marks.slice(0, 2), { time: 2, symbol: "Y", price: 25 }],
    );
    // At 1: Y has no close yet (0); at 2: long −10, short −2 × 25 + 40 = −10.
    expect(points.map((p) => p.value)).toEqual([100, 80]);
  });

  it("floors the equity at 0 and keeps it there", () => {
    const big = { ...long, perUnit: 10, offset: 1000, closedAt: null };
    const points = markedEquity(100, [big], [...marks, { time: 5, symbol: "X", price: 200 }]);
    expect(points.map((p) => p.value)).toEqual([100, 0, 0, 0, 0]);
  });
});

describe("the figures backtesting.py and quantstats users look for", () => {
  it.each([
    {
      name: "one year, +21 %",
      points: [
        [0, 100],
        [365, 121],
      ],
      expected: 21,
    },
    {
      name: "two years, +21 %: 10 % a year",
      points: [
        [0, 100],
        [730, 121],
      ],
      expected: 10,
    },
    {
      name: "half a year, +10 %: 1.1² − 1",
      points: [
        [0, 100],
        [182.5, 110],
      ],
      expected: 21,
    },
    {
      name: "everything lost",
      points: [
        [0, 100],
        [10, 0],
      ],
      expected: -100,
    },
  ])("cagrPct: $name", ({ points, expected }) => {
    expect(cagrPct(points.map(([d, value]) => ({ time: d * DAY, value })))).toBeCloseTo(expected, 9);
  });

  it("calmarRatio: CAGR 10 % over a 20 % drawdown is 0.5", () => {
    expect(calmarRatio(10, 20)).toBeCloseTo(0.5, 12);
  });

  it("exposurePct counts overlapping positions once", () => {
    const trades = [
      { openedAt: 0, closedAt: 10, pnl: 1 },
      { openedAt: 5, closedAt: 15, pnl: 1 },
      { openedAt: 20, closedAt: 30, pnl: 1 },
    ];
    expect(exposurePct(trades, 0, 40)).toBeCloseTo(62.5, 12);
  });

  it("tradeFigures: mean, best, worst in % of capital, the longest losing run and the SQN", () => {
    // Returns .02, −.01, −.01, 0, .03: mean .006, sample SD √(.00132 / 4) = .0181659; SQN √5 × .006 / .0181659.
    expect(tradeFigures([2, -1, -1, 0, 3], 100)).toEqual({
      avgTradePct: expect.closeTo(0.6, 12),
      bestTradePct: 3,
      worstTradePct: -1,
      maxConsecutiveLosses: 3,
      sqn: expect.closeTo(0.738549, 6),
    });
  });
});

describe("odd input: no crash, no poison", () => {
  const HUGE = 1e300;
  it.each([
    { name: "empty", values: [], expected: 0 },
    { name: "single", values: [100], expected: 0 },
    { name: "NaN skipped", values: [100, NaN, 80], expected: 20 },
    { name: "all zero", values: [0, 0, 0], expected: 0 },
    { name: "below zero capped at 100 %", values: [100, -50], expected: 100 },
    { name: "negative only", values: [-10, -20], expected: 0 },
    { name: "huge", values: [HUGE, HUGE / 2], expected: 50 },
  ])("maxDrawdownPct: $name", ({ values, expected }) => {
    expect(maxDrawdownPct(values)).toBeCloseTo(expected, 9);
  });

  it.each([
    { name: "empty", returns: [], expected: null },
    { name: "single", returns: [0.01], expected: null },
    { name: "three identical returns (float noise only)", returns: [0.01, 0.01, 0.01], expected: null },
    { name: "identical with float noise", returns: [0.1 + 0.2, 0.3, 0.3], expected: null },
    { name: "NaN skipped", returns: [0.01, NaN, 0], expected: 0.7071 },
    { name: "all zero", returns: [0, 0], expected: null },
    { name: "negative", returns: [-0.01, 0], expected: -0.7071 },
    { name: "huge, mean zero", returns: [1e300, -1e300], expected: 0 },
  ])("sharpeRatio: $name", ({ returns, expected }) => {
    const value = sharpeRatio(returns, 1);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 4);
  });

  it.each([
    { name: "empty", returns: [], expected: null },
    { name: "single", returns: [-0.01], expected: null },
    // Mean -.005, downside sqrt(.01²/2) = .0070711.
    { name: "NaN skipped", returns: [-0.01, NaN, 0], expected: -0.7071 },
    { name: "all zero", returns: [0, 0, 0], expected: null },
    { name: "huge, mean zero", returns: [1e300, -1e300], expected: 0 },
  ])("sortinoRatio: $name", ({ returns, expected }) => {
    const value = sortinoRatio(returns, 1);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 4);
  });

  it("has no ratio for a non-positive number of periods per year", () => {
    expect(sharpeRatio([0.01, 0], 0)).toBeNull();
    expect(sortinoRatio([-0.01, 0], -1)).toBeNull();
  });

  it.each([
    { name: "empty", points: [], expected: [] },
    { name: "single", points: [{ time: noon(0), value: 100 }], expected: [0] },
    {
      name: "NaN value skipped",
      points: [
        { time: noon(0), value: 100 },
        { time: noon(1), value: NaN },
        { time: noon(1) + 1, value: 110 },
      ],
      expected: [0, 0.1],
    },
    {
      name: "zero equity has no return",
      points: [
        { time: noon(0), value: 0 },
        { time: noon(1), value: 10 },
      ],
      expected: [0, 0],
    },
    {
      name: "a fall below zero is a loss of everything, not more",
      points: [
        { time: noon(0), value: 100 },
        { time: noon(1), value: -50 },
        { time: noon(2), value: -20 },
      ],
      expected: [0, -1, 0],
    },
    {
      name: "huge",
      points: [
        { time: noon(0), value: HUGE },
        { time: noon(1), value: HUGE * 1.5 },
      ],
      expected: [0, 0.5],
    },
  ])("dailyReturns: $name", ({ points, expected }) => {
    const returns = dailyReturns(points);
    expect(returns).toHaveLength(expected.length);
    returns.forEach((r, i) => expect(r).toBeCloseTo(expected[i], 9));
  });

  it.each([
    { name: "empty", results: [], expected: { trades: 0, winRate: null, profitFactor: null } },
    { name: "single", results: [2], expected: { trades: 1, winRate: 1, profitFactor: null } },
    { name: "NaN skipped", results: [2, NaN, -1], expected: { trades: 2, winRate: 0.5, profitFactor: 2 } },
    { name: "all zero", results: [0, 0], expected: { trades: 2, winRate: 0, profitFactor: null } },
    { name: "negative only", results: [-1, -3], expected: { trades: 2, winRate: 0, profitFactor: 0 } },
    { name: "huge", results: [HUGE, -HUGE], expected: { trades: 2, winRate: 0.5, profitFactor: 1 } },
  ])("tradeStats: $name", ({ results, expected }) => {
    expect(tradeStats(results)).toEqual(expected);
  });

  it.each([
    { name: "empty", trades: [], expected: [] },
    { name: "single", trades: [{ closedAt: 5, pnl: 1 }], expected: [10, 11] },
    {
      name: "NaN P&L and NaN time skipped",
      trades: [
        { closedAt: 5, pnl: NaN },
        { closedAt: NaN, pnl: 3 },
        { closedAt: 6, pnl: -2 },
      ],
      expected: [10, 8],
    },
    { name: "zero", trades: [{ closedAt: 5, pnl: 0 }], expected: [10, 10] },
    {
      name: "a loss beyond the equity floors it at 0",
      trades: [{ closedAt: 5, pnl: -30 }],
      expected: [10, 0],
    },
    {
      name: "once at 0 it stays there",
      trades: [
        { closedAt: 5, pnl: -30 },
        { closedAt: 6, pnl: 50 },
      ],
      expected: [10, 0, 0],
    },
    { name: "huge", trades: [{ closedAt: 5, pnl: HUGE }], expected: [10, HUGE] },
  ])("equityFromTrades: $name", ({ trades, expected }) => {
    expect(equityFromTrades(trades, 10).map((p) => p.value)).toEqual(expected);
  });

  it.each([
    { name: "no trades", trades: [], capital: 100, returnPct: 0, drawdown: 0 },
    { name: "zero capital", trades: [{ closedAt: noon(0), pnl: 5 }], capital: 0, returnPct: 0, drawdown: 0 },
    {
      name: "negative capital",
      trades: [{ closedAt: noon(0), pnl: 5 }],
      capital: -10,
      returnPct: 0,
      drawdown: 0,
    },
    {
      name: "loss beyond capital: all of it, not more",
      trades: [{ closedAt: noon(0), pnl: -150 }],
      capital: 100,
      returnPct: -100,
      drawdown: 100,
    },
    { name: "huge", trades: [{ closedAt: noon(0), pnl: HUGE }], capital: HUGE, returnPct: 100, drawdown: 0 },
  ])("performanceFromTrades: $name", ({ trades, capital, returnPct, drawdown }) => {
    const stats = performanceFromTrades(trades, capital);
    expect(stats.returnPct).toBeCloseTo(returnPct, 9);
    expect(stats.maxDrawdownPct).toBeCloseTo(drawdown, 9);
    for (const key of ["returnPct", "maxDrawdownPct"] as const)
      expect(Number.isFinite(stats[key])).toBe(true);
  });

  it.each([
    { name: "empty", values: [], max: 3, expected: [] },
    { name: "single", values: [7], max: 1, expected: [7] },
    { name: "room for one keeps the latest", values: [1, 2, 3], max: 1, expected: [3] },
    { name: "room for none", values: [1, 2, 3], max: 0, expected: [] },
    { name: "fractional room rounds down", values: [0, 1, 2, 3, 4], max: 3.9, expected: [0, 2, 4] },
    { name: "NaN values kept as they are", values: [NaN, 1], max: 5, expected: [NaN, 1] },
    { name: "huge room", values: [1, 2], max: Number.MAX_VALUE, expected: [1, 2] },
  ])("downsample: $name", ({ values, max, expected }) => {
    expect(downsample(values, max)).toEqual(expected);
  });

  const at = (...pairs: [number, number][]) => pairs.map(([d, value]) => ({ time: d * DAY, value }));
  it.each([
    { name: "empty", points: [], expected: null },
    { name: "single", points: at([0, 100]), expected: null },
    { name: "under a day", points: at([0, 100], [0.5, 200]), expected: null },
    { name: "NaN skipped", points: at([0, 100], [100, NaN], [365, 110]), expected: 10 },
    { name: "zero start", points: at([0, 0], [365, 10]), expected: null },
    { name: "negative end", points: at([0, 100], [365, -5]), expected: -100 },
    { name: "huge growth overflows to not defined", points: at([0, 1e-300], [1, 1e300]), expected: null },
  ])("cagrPct: $name", ({ points, expected }) => {
    const value = cagrPct(points);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 9);
  });

  it.each([
    { name: "no CAGR", cagr: null, drawdown: 10, expected: null },
    { name: "zero drawdown", cagr: 10, drawdown: 0, expected: null },
    { name: "NaN drawdown", cagr: 10, drawdown: NaN, expected: null },
    { name: "NaN CAGR", cagr: NaN, drawdown: 10, expected: null },
    { name: "negative CAGR", cagr: -50, drawdown: 100, expected: -0.5 },
    { name: "huge", cagr: 1e300, drawdown: 1e-300, expected: null },
  ])("calmarRatio: $name", ({ cagr, drawdown, expected }) => {
    const value = calmarRatio(cagr, drawdown);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 12);
  });

  it.each([
    { name: "no trades", trades: [], start: 0, end: 10, expected: 0 },
    {
      name: "empty period",
      trades: [{ openedAt: 0, closedAt: 5, pnl: 1 }],
      start: 5,
      end: 5,
      expected: null,
    },
    { name: "NaN period", trades: [], start: NaN, end: 5, expected: null },
    { name: "no open time skipped", trades: [{ closedAt: 5, pnl: 1 }], start: 0, end: 10, expected: 0 },
    {
      name: "NaN open time skipped",
      trades: [{ openedAt: NaN, closedAt: 5, pnl: 1 }],
      start: 0,
      end: 10,
      expected: 0,
    },
    {
      name: "clipped to the period",
      trades: [{ openedAt: -10, closedAt: 20, pnl: 1 }],
      start: 0,
      end: 10,
      expected: 100,
    },
    {
      name: "closed before it opened",
      trades: [{ openedAt: 8, closedAt: 2, pnl: 1 }],
      start: 0,
      end: 10,
      expected: 0,
    },
    { name: "huge", trades: [{ openedAt: 0, closedAt: 1e300, pnl: 1 }], start: 0, end: 1e300, expected: 100 },
  ])("exposurePct: $name", ({ trades, start, end, expected }) => {
    const value = exposurePct(trades, start, end);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 9);
  });

  const none = {
    avgTradePct: null,
    bestTradePct: null,
    worstTradePct: null,
    maxConsecutiveLosses: 0,
    sqn: null,
  };
  it.each([
    { name: "empty", pnls: [], capital: 100, expected: none },
    { name: "NaN only", pnls: [NaN], capital: 100, expected: none },
    {
      name: "single (no SQN)",
      pnls: [-2],
      capital: 100,
      expected: { avgTradePct: -2, bestTradePct: -2, worstTradePct: -2, maxConsecutiveLosses: 1, sqn: null },
    },
    {
      name: "identical (no deviation, no SQN)",
      pnls: [0.1 + 0.2, 0.3, 0.3],
      capital: 100,
      expected: {
        avgTradePct: 0.3,
        bestTradePct: 0.3,
        worstTradePct: 0.3,
        maxConsecutiveLosses: 0,
        sqn: null,
      },
    },
    {
      name: "zero capital: no percentages",
      pnls: [1, -1],
      capital: 0,
      expected: { ...none, maxConsecutiveLosses: 1 },
    },
    {
      name: "huge",
      pnls: [1e300, -1e300],
      capital: 1e300,
      expected: { avgTradePct: 0, bestTradePct: 100, worstTradePct: -100, maxConsecutiveLosses: 1, sqn: 0 },
    },
  ])("tradeFigures: $name", ({ pnls, capital, expected }) => {
    const figures = tradeFigures(pnls, capital);
    for (const [key, value] of Object.entries(expected)) {
      const actual = figures[key as keyof typeof figures];
      if (value === null) expect(actual, key).toBeNull();
      else expect(actual, key).toBeCloseTo(value, 9);
    }
  });

  const position = (over: Partial<MarkedPosition>): MarkedPosition => ({
    symbol: "X",
    openedAt: 0,
    closedAt: null,
    pnl: 0,
    perUnit: 1,
    offset: 100,
    ...over,
  });
  it.each([
    { name: "no marks", positions: [position({})], marks: [], expected: [] },
    { name: "no positions", positions: [], marks: [{ time: 1, symbol: "X", price: 5 }], expected: [100] },
    {
      name: "NaN price skipped",
      positions: [position({})],
      marks: [
        { time: 1, symbol: "X", price: NaN },
        { time: 2, symbol: "X", price: 110 },
      ],
      expected: [110],
    },
    {
      name: "NaN position skipped",
      positions: [position({ perUnit: NaN }), position({ openedAt: NaN })],
      marks: [{ time: 1, symbol: "X", price: 50 }],
      expected: [100],
    },
    {
      name: "zero price",
      positions: [position({})],
      marks: [{ time: 1, symbol: "X", price: 0 }],
      expected: [0],
    },
    {
      name: "negative P&L beyond the capital floors at 0",
      positions: [position({ closedAt: 1, pnl: -500 })],
      marks: [{ time: 1, symbol: "X", price: 1 }],
      expected: [0],
    },
    {
      name: "huge",
      positions: [position({ perUnit: 1e300, offset: 0 })],
      marks: [{ time: 1, symbol: "X", price: 1 }],
      expected: [1e300],
    },
  ])("markedEquity: $name", ({ positions, marks, expected }) => {
    expect(markedEquity(100, positions, marks).map((p) => p.value)).toEqual(expected);
  });

  it.each([
    { name: "empty", points: [], expected: { returnPct: 0, maxDrawdownPct: 0, cagrPct: null, sharpe: null } },
    {
      name: "single",
      points: at([0, 100]),
      expected: { returnPct: 0, maxDrawdownPct: 0, cagrPct: null, sharpe: null },
    },
    {
      name: "NaN point skipped",
      points: at([0, 100], [1, NaN], [365, 110]),
      expected: { returnPct: 10, maxDrawdownPct: 0, cagrPct: 10 },
    },
    {
      name: "zero start",
      points: at([0, 0], [365, 10]),
      expected: { returnPct: 0, cagrPct: null, calmar: null },
    },
    {
      name: "negative end",
      points: at([0, 100], [365, -10]),
      expected: { returnPct: -100, maxDrawdownPct: 100, cagrPct: -100, calmar: -1 },
    },
    {
      name: "huge",
      points: at([0, 1e300], [365, 2e300]),
      expected: { returnPct: 100, cagrPct: 100, calmar: null },
    },
  ])("equityStats: $name", ({ points, expected }) => {
    const stats = equityStats(points);
    for (const [key, value] of Object.entries(expected)) {
      const actual = stats[key as keyof typeof stats];
      if (value === null) expect(actual, key).toBeNull();
      else expect(actual, key).toBeCloseTo(value, 9);
    }
  });

  it.each([-1, NaN])("downsample refuses max %s", (max) => {
    expect(() => downsample([1, 2], max)).toThrow(/max must be a number >= 0/);
  });
});
