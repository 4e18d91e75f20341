// An equity curve drawn with lightweight-charts in the browser only (the library needs a DOM), with an empty state.
import { useEffect, useRef, useState } from "react";
import { chartTheme } from "./chart-theme";

export interface EquityPoint {
  /** Epoch milliseconds. */
  time: number;
  value: number;
}

export interface ChartEquityProps {
  points: EquityPoint[];
  height?: number;
  /** Accessible name of the chart region. */
  label?: string;
  /** Shown when there are fewer than two points. */
  emptyMessage?: string;
}

/** Seconds, strictly ascending and unique: what lightweight-charts accepts; the last value of a second wins. */
export function toChartData(points: EquityPoint[]) {
  const bySecond = new Map<number, number>();
  for (const p of [...points].sort((a, b) => a.time - b.time))
    bySecond.set(Math.floor(p.time / 1000), p.value);
  return [...bySecond].map(([time, value]) => ({ time, value }));
}

const UP = { line: "#059669", top: "rgba(16,185,129,0.25)", bottom: "rgba(16,185,129,0.02)" };
const DOWN = { line: "#e11d48", top: "rgba(244,63,94,0.22)", bottom: "rgba(244,63,94,0.02)" };

export function ChartEquity({
  points,
  height = 280,
  label = "Equity curve",
  emptyMessage = "No closed trades yet: the equity curve appears after the first one.",
}: ChartEquityProps) {
  const container = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const data = toChartData(points);
  const empty = data.length < 2;
  // A stable key: the effect redraws when the data changes, not on every render of the parent.
  const dataKey = empty
    ? ""
    : `${data.length}:${data[0].time}:${data[data.length - 1].time}:${data[data.length - 1].value}`;

  useEffect(() => {
    if (empty || !container.current) return;
    const element = container.current;
    let cancelled = false;
    let dispose: (() => void) | undefined;
    import("lightweight-charts")
      .then((lib) => {
        if (cancelled) return;
        const chart = lib.createChart(element, {
          ...chartTheme(lib),
          grid: { vertLines: { visible: false }, horzLines: { color: "#e2e8f0" } },
          timeScale: { borderVisible: false, timeVisible: true },
          handleScroll: false,
          handleScale: false,
        });
        const colors = data[data.length - 1].value >= data[0].value ? UP : DOWN;
        const series = chart.addSeries(lib.AreaSeries, {
          lineColor: colors.line,
          topColor: colors.top,
          bottomColor: colors.bottom,
          lineWidth: 2,
          priceLineVisible: false,
        });
        series.setData(data.map((d) => ({ time: d.time as never, value: d.value })));
        chart.timeScale().fitContent();
        dispose = () => chart.remove();
      })
      .catch(() => {
        if (!cancelled) setFailed(true);
      });
    return () => {
      cancelled = true;
      dispose?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- dataKey stands for data
  }, [dataKey, empty]);

  if (empty || failed) {
    return (
      <div
        role="img"
        aria-label={label}
        style={{ height }}
        className="flex items-center justify-center rounded-lg border border-dashed border-slate-300 bg-slate-50 px-6 text-center text-sm text-slate-500"
      >
        {failed ? "The chart could not be loaded. Reload the page to try again." : emptyMessage}
      </div>
    );
  }
  return (
    <div
      ref={container}
      role="img"
      aria-label={label}
      style={{ height }}
      className="w-full"
      data-chart="equity"
    />
  );
}
