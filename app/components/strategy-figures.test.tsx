// The figures as the strategy and backtest pages render them: which drawdown is which, and no figure
// invented for backtests stored before ADR 127 (they lack the marked figures).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { MarketStats } from "./market-stats";
import { FIGURE_DEFINITIONS, StrategyFigures } from "./strategy-figures";

const render = (stats: Record<string, number | string | null>) =>
  renderToStaticMarkup(
    createElement(
      "div",
      null,
      createElement(MarketStats, { stats }),
      createElement(StrategyFigures, { stats }),
    ),
  );

/** Each figure's label and value, in page order (the definitions below them left out). */
function figures(html: string): [string, string][] {
  return [...html.split("<details")[0].matchAll(/<dt[^>]*>([^<]*)<\/dt><dd[^>]*>([^<]*)<\/dd>/g)].map((m) => [
    m[1],
    m[2],
  ]);
}

const before127 = {
  returnPct: 12.5,
  winRate: 0.5,
  sharpe: 1.2,
  sortino: 1.8,
  maxDrawdownPct: 7.25,
  profitFactor: 1.4,
  trades: 12,
};
const now = {
  ...before127,
  maxDrawdownPct: 9.5,
  closedMaxDrawdownPct: 7.25,
  cagrPct: 30,
  calmar: 3.16,
  exposurePct: 40,
  avgTradePct: 1,
  bestTradePct: 4,
  worstTradePct: -2,
  maxConsecutiveLosses: 3,
  sqn: 1.1,
};

describe("StrategyFigures and MarketStats", () => {
  it("show the marked drawdown and the closed-trade one, each labelled", () => {
    const shown = figures(render(now));
    expect(shown).toContainEqual(["Max drawdown (marked)", "−9.50 %"]);
    expect(shown).toContainEqual(["Max drawdown (closed trades)", "−7.25 %"]);
    expect(shown).toContainEqual(["Max consecutive losses", "3"]);
    expect(render(now)).not.toContain("Computed before figures were marked");
  });

  it("label an old backtest's only drawdown as the closed-trade one and invent no figure for it", () => {
    const html = render(before127);
    const shown = figures(html);
    expect(shown).toContainEqual(["Max drawdown (closed trades)", "−7.25 %"]);
    expect(shown.filter(([label]) => label.startsWith("Max drawdown"))).toHaveLength(1);
    for (const label of ["CAGR", "Calmar", "Exposure", "Average trade", "Max consecutive losses", "SQN"])
      expect(shown).toContainEqual([label, "—"]);
    expect(html).toContain("Computed before figures were marked to market");
  });

  it("label live figures on the closed-trade curve as such when no close price was recorded to mark at", () => {
    const html = render({ ...now, maxDrawdownPct: 7.25, equityBasis: "closed" });
    const shown = figures(html);
    expect(shown).toContainEqual(["Max drawdown (closed trades)", "−7.25 %"]);
    expect(shown.filter(([label]) => label.startsWith("Max drawdown"))).toHaveLength(1);
    expect(shown).toContainEqual(["Max consecutive losses", "3"]);
    expect(html).toContain("No close price was recorded to value the open positions at");
    expect(html).not.toContain("Run the backtest again");
  });

  it("define every figure the page shows under How these figures are computed", () => {
    const defined = FIGURE_DEFINITIONS.map(([term]) => term).join(" | ");
    for (const [label] of figures(render(now)).filter(([l]) => l !== "Trades")) {
      const term = label
        .replace(/ \((marked|closed trades)\)$/, "")
        .replace(/^(Average|Best|Worst) trade$/, "Average, best, worst trade");
      expect(defined, label).toContain(term);
    }
  });
});
