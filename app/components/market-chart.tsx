// The market as a candlestick chart (lightweight-charts, loaded in the browser only) with signals and trades marked.
import { Link } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { CHART_MARKET_PARAM, type ChartCandle, type MarketChartData } from "../../db/contracts/market-chart";
import { chartTheme } from "./chart-theme";
import { CANDLE_COLORS, chartMarks, chartSummary, MARK_COLORS, toBars } from "./market-chart-marks";
import { formatUtc } from "./market-format";
import { MarketSourceBadge } from "./market-source-badge";
import { formatPrice } from "./subscription-ui";

const HEIGHT = 380;
const EMPTY_HEIGHT = 240;
/** Candles in view at first; the rest of the window is a scroll (drag, or the arrow keys) away. */
const BARS_IN_VIEW = 150;

type ChartApi = import("lightweight-charts").IChartApi;
type DrawState = "loading" | "ready" | "failed";

export function MarketChart({ chart, title = "Market" }: { chart: MarketChartData | null; title?: string }) {
  const headingId = useId();
  const summaryId = useId();
  return (
    <section
      aria-labelledby={headingId}
      className="min-w-0 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
    >
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id={headingId} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          {chart ? (
            <>
              <span className="rounded-md bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">
                {chart.resolution} candles
              </span>
              <MarketSourceBadge source={chart.source} />
            </>
          ) : null}
        </div>
        {chart && chart.symbols.length > 1 ? <SymbolSwitcher chart={chart} /> : null}
      </div>
      {!chart || chart.candles.length === 0 ? (
        <ChartEmpty chart={chart} />
      ) : (
        <>
          <CandleCanvas key={`${chart.symbol}:${chart.resolution}`} chart={chart} summaryId={summaryId} />
          <ChartLegend chart={chart} />
          <p id={summaryId} className="mt-2 text-xs text-slate-500">
            {chartSummary(chart)}
          </p>
        </>
      )}
    </section>
  );
}

function SymbolSwitcher({ chart }: { chart: MarketChartData }) {
  return (
    <nav aria-label="Chart market" className="inline-flex rounded-lg bg-slate-100 p-0.5">
      {chart.symbols.map((symbol) => {
        const current = symbol === chart.symbol;
        return (
          <Link
            key={symbol}
            to={`?${new URLSearchParams({ [CHART_MARKET_PARAM]: symbol })}`}
            preventScrollReset
            replace
            aria-current={current ? "page" : undefined}
            className={`rounded-md px-2.5 py-1 text-xs font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 ${
              current ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900"
            }`}
          >
            {symbol}
          </Link>
        );
      })}
    </nav>
  );
}

function ChartEmpty({ chart }: { chart: MarketChartData | null }) {
  return (
    <div
      role="status"
      data-chart-state="empty"
      style={{ height: EMPTY_HEIGHT }}
      className="flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-slate-300 bg-slate-50 px-6 text-center"
    >
      <p className="text-sm font-medium text-slate-700">
        {chart ? `No ${chart.symbol} ${chart.resolution} candles stored yet` : "No market published yet"}
      </p>
      <p className="max-w-md text-xs text-slate-500">
        {chart ? (
          <>
            The chart fills in as this deployment records candle closes for the market; history can be loaded
            with{" "}
            <code className="rounded bg-slate-200/70 px-1 py-0.5 text-slate-700">
              npm run data -- download
            </code>
            .
          </>
        ) : (
          "The chart appears once the strategy publishes a version with its symbols and resolution."
        )}
      </p>
    </div>
  );
}

function keyToScroll(chart: ChartApi, key: string): boolean {
  const time = chart.timeScale();
  const range = time.getVisibleLogicalRange();
  if (!range) return false;
  const width = range.to - range.from;
  const step = Math.max(1, Math.round(width / 10));
  if (key === "ArrowLeft" || key === "ArrowRight") {
    const shift = key === "ArrowLeft" ? -step : step;
    time.setVisibleLogicalRange({ from: range.from + shift, to: range.to + shift });
  } else if (key === "+" || key === "=" || key === "-") {
    const grow = key === "-" ? step : -step;
    if (width + 2 * grow < 10) return true;
    time.setVisibleLogicalRange({ from: range.from - grow, to: range.to + grow });
  } else if (key === "Home") {
    time.fitContent();
  } else return false;
  return true;
}

function CandleCanvas({ chart, summaryId }: { chart: MarketChartData; summaryId: string }) {
  const container = useRef<HTMLDivElement>(null);
  const api = useRef<ChartApi | null>(null);
  const [state, setState] = useState<DrawState>("loading");
  const [hovered, setHovered] = useState<ChartCandle | null>(null);
  const last = chart.candles[chart.candles.length - 1];
  // Redraw when the data changes (a live revalidation), not on every render of the page.
  const dataKey = `${chart.candles.length}:${last.time}:${last.close}:${chart.signals.length}:${JSON.stringify(chart.trades?.map((t) => [t.id, t.closedAt]))}`;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let cancelled = false;
    let drawn: ChartApi | undefined;
    import("lightweight-charts")
      .then((lib) => {
        if (cancelled) return;
        const created = lib.createChart(element, {
          ...chartTheme(lib),
          grid: { vertLines: { color: "#f1f5f9" }, horzLines: { color: "#f1f5f9" } },
          timeScale: { borderVisible: false, timeVisible: true, rightOffset: 3 },
          // The page scrolls with the wheel; the chart scrolls by dragging and with the keyboard.
          handleScroll: {
            mouseWheel: false,
            pressedMouseMove: true,
            horzTouchDrag: true,
            vertTouchDrag: false,
          },
          handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true },
        });
        const series = created.addSeries(lib.CandlestickSeries, {
          upColor: CANDLE_COLORS.up,
          downColor: CANDLE_COLORS.down,
          borderUpColor: CANDLE_COLORS.up,
          borderDownColor: CANDLE_COLORS.down,
          wickUpColor: CANDLE_COLORS.up,
          wickDownColor: CANDLE_COLORS.down,
          priceLineVisible: false,
        });
        series.setData(toBars(chart.candles) as never);
        lib.createSeriesMarkers(series, chartMarks(chart) as never);
        const byTime = new Map(chart.candles.map((c) => [c.time / 1000, c]));
        created.subscribeCrosshairMove((param) =>
          setHovered(param.time === undefined ? null : (byTime.get(Number(param.time)) ?? null)),
        );
        const bars = chart.candles.length;
        created.timeScale().setVisibleLogicalRange({ from: Math.max(0, bars - BARS_IN_VIEW), to: bars + 2 });
        drawn = api.current = created;
        setState("ready");
      })
      .catch(() => {
        if (!cancelled) setState("failed");
      });
    return () => {
      cancelled = true;
      drawn?.remove();
      api.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- dataKey stands for chart
  }, [dataKey]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (api.current && keyToScroll(api.current, event.key)) event.preventDefault();
  };

  return (
    <div
      role="region"
      tabIndex={0}
      aria-label={`${chart.symbol} ${chart.resolution} candlestick chart. Arrow keys scroll, plus and minus zoom, Home shows every candle.`}
      aria-describedby={summaryId}
      onKeyDown={onKeyDown}
      data-chart-state={state}
      className="relative rounded-lg focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 focus-visible:ring-offset-2"
      style={{ height: HEIGHT }}
    >
      <div ref={container} data-chart="candles" className="absolute inset-0" />
      {state === "ready" ? <CandleReadout candle={hovered ?? last} /> : null}
      {state !== "ready" ? (
        <div
          role="status"
          className="absolute inset-0 flex items-center justify-center rounded-lg bg-slate-50 text-sm text-slate-500"
        >
          {state === "loading" ? (
            <span className="flex items-center gap-2">
              <span aria-hidden className="h-2 w-2 animate-pulse rounded-full bg-brand-500" />
              Loading chart…
            </span>
          ) : (
            "The chart could not be loaded. Reload the page to try again."
          )}
        </div>
      ) : null}
    </div>
  );
}

/** The O/H/L/C of the candle under the crosshair (the last one otherwise), as trading screens show it. */
function CandleReadout({ candle }: { candle: ChartCandle }) {
  const tone = candle.filled
    ? "text-slate-500"
    : candle.close >= candle.open
      ? "text-emerald-700"
      : "text-rose-700";
  return (
    <p
      aria-hidden
      className="pointer-events-none absolute left-2 top-1 z-10 flex max-w-[calc(100%-5.5rem)] flex-wrap gap-x-2 rounded bg-white/80 px-1.5 py-0.5 text-[11px] tabular-nums text-slate-500"
    >
      <span className="text-slate-700">{formatUtc(candle.time)}</span>
      {(["open", "high", "low", "close"] as const).map((k) => (
        <span key={k}>
          {k[0].toUpperCase()} <span className={tone}>{formatPrice(candle[k])}</span>
        </span>
      ))}
      {candle.filled ? <span className="font-medium text-slate-600">filled</span> : null}
    </p>
  );
}

function Swatch({ style }: { style: React.CSSProperties }) {
  return <span aria-hidden className="inline-block h-3 w-2 rounded-[2px]" style={style} />;
}

function Glyph({ children, color }: { children: string; color: string }) {
  return (
    <span aria-hidden className="text-[11px] leading-none" style={{ color }}>
      {children}
    </span>
  );
}

function ChartLegend({ chart }: { chart: MarketChartData }) {
  const filled = chart.candles.filter((c) => c.filled).length;
  const glyph = (text: string, color: string) => <Glyph color={color}>{text}</Glyph>;
  const swatch = (background: string, border = background) => (
    <Swatch style={{ background, boxShadow: `inset 0 0 0 1px ${border}` }} />
  );
  const items: [React.ReactNode, string][] = [
    [swatch(CANDLE_COLORS.up), "Up"],
    [swatch(CANDLE_COLORS.down), "Down"],
    [
      swatch(CANDLE_COLORS.filledBody, CANDLE_COLORS.filledLine),
      `Filled${filled ? ` (${filled})` : ""}: nothing traded, flat at the previous close`,
    ],
    [glyph("▲", MARK_COLORS.BUY), "Buy"],
    [glyph("▼", MARK_COLORS.SELL), "Sell"],
    [glyph("●", MARK_COLORS.CLOSE), "Close"],
  ];
  if (chart.trades) {
    items.push(
      [glyph("▲▼", MARK_COLORS.entry), "Your entry (long / short) and price"],
      [glyph("■", MARK_COLORS.exit), "Your exit, price and reason"],
    );
  }
  return (
    <ul aria-label="Legend" className="mt-3 flex flex-wrap gap-x-4 gap-y-1.5 text-xs text-slate-600">
      {items.map(([mark, label]) => (
        <li key={label} className="inline-flex items-center gap-1.5">
          {mark}
          {label}
        </li>
      ))}
    </ul>
  );
}
