// The author's latest backtest of each version: simulated figures, kept visibly apart from live performance.
import {
  formatCount,
  formatDecimal,
  formatRatioPct,
  formatSignedPct,
  formatUtcDate,
  returnTone,
} from "./market-format";
import { MarketSourceBadge } from "./market-source-badge";
import { MarketSparkline } from "./market-sparkline";

export interface MarketBacktest {
  id: string;
  version: string;
  symbol: string;
  resolution: string;
  fromTime: number;
  toTime: number;
  marketSource: string;
  stats: {
    returnPct?: number | null;
    winRate?: number | null;
    sharpe?: number | null;
    maxDrawdownPct?: number | null;
    trades?: number | null;
  };
  equity: { time: number; value: number }[];
}

export function MarketBacktests({ backtests }: { backtests: MarketBacktest[] }) {
  return (
    <ul className="divide-y divide-slate-100">
      {backtests.map((b) => (
        <li key={b.id} className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center">
          <div className="min-w-0 flex-1">
            <p className="text-sm font-medium text-slate-900">
              v{b.version} · {b.symbol} · {b.resolution}
            </p>
            <p className="flex flex-wrap items-center gap-1.5 text-xs text-slate-500">
              {formatUtcDate(b.fromTime)} to {formatUtcDate(b.toTime)}
              <MarketSourceBadge source={b.marketSource} />
            </p>
          </div>
          <MarketSparkline
            values={b.equity.map((p) => p.value)}
            label={`Backtest equity of version ${b.version}`}
            width={110}
            height={30}
          />
          <dl className="grid grid-cols-4 gap-3 whitespace-nowrap text-right text-sm tabular-nums sm:w-96">
            <div>
              <dt className="text-[11px] text-slate-500">Return</dt>
              <dd className={`font-semibold ${returnTone(b.stats.returnPct)}`}>
                {formatSignedPct(b.stats.returnPct)}
              </dd>
            </div>
            <div>
              <dt className="text-[11px] text-slate-500">Win rate</dt>
              <dd className="font-semibold text-slate-900">{formatRatioPct(b.stats.winRate)}</dd>
            </div>
            <div>
              <dt className="text-[11px] text-slate-500">Sharpe</dt>
              <dd className="font-semibold text-slate-900">{formatDecimal(b.stats.sharpe)}</dd>
            </div>
            <div>
              <dt className="text-[11px] text-slate-500">Trades</dt>
              <dd className="font-semibold text-slate-900">{formatCount(b.stats.trades ?? 0)}</dd>
            </div>
          </dl>
        </li>
      ))}
    </ul>
  );
}
