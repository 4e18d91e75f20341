// Where a figure's candles came from: the built-in simulated market, or an exchange (MARKET_DATA).
import { marketSourceLabel, SIMULATED_SOURCE } from "../../db/contracts/domain";

export function MarketSourceBadge({ source }: { source: string }) {
  const simulated = source === SIMULATED_SOURCE;
  return (
    <span
      title={
        simulated
          ? "Computed on Candlecast's built-in simulated market: invented prices, not an exchange's"
          : `Computed on ${marketSourceLabel(source)}'s candles`
      }
      className={`inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${
        simulated
          ? "bg-amber-50 text-amber-800 ring-amber-600/20"
          : "bg-emerald-50 text-emerald-800 ring-emerald-600/20"
      }`}
    >
      <span
        aria-hidden="true"
        className={`h-1.5 w-1.5 rounded-full ${simulated ? "bg-amber-500" : "bg-emerald-500"}`}
      />
      {marketSourceLabel(source)}
    </span>
  );
}
