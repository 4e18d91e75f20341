// The risk settings fields of the subscribe and edit forms: labels, units and help text in one place.
import { TextField } from "./forms";

type RiskKey =
  | "capital"
  | "riskPerTrade"
  | "leverage"
  | "maxOpenPositions"
  | "maxDailyLoss"
  | "stopLossAtr"
  | "takeProfitAtr";

const FIELDS: { name: RiskKey; label: string; unit?: string; help: string }[] = [
  {
    name: "capital",
    label: "Capital",
    unit: "USDT",
    help: "What this subscription trades with; position sizes are computed from it. 10 to 100,000,000.",
  },
  {
    name: "riskPerTrade",
    label: "Risk per trade",
    unit: "%",
    help: "Share of capital lost if a stop-loss is hit: 1 % of 1,000 USDT risks 10 USDT. 0.01 to 10 %.",
  },
  {
    name: "leverage",
    label: "Leverage",
    unit: "×",
    help: "Caps a position's value at capital × leverage. 1× means no leverage. 1 to 20.",
  },
  {
    name: "maxOpenPositions",
    label: "Max open positions",
    help: "New signals are skipped while this many trades are open. 1 to 50.",
  },
  {
    name: "maxDailyLoss",
    label: "Max daily loss",
    unit: "%",
    help: "Once the day's realised loss reaches this share of capital, new trades wait until 00:00 UTC. 0.1 to 50 %.",
  },
  {
    name: "stopLossAtr",
    label: "Stop-loss (ATR ×)",
    unit: "× ATR",
    help: "Stop distance from the entry in multiples of the Average True Range. 0.1 to 20.",
  },
  {
    name: "takeProfitAtr",
    label: "Take-profit (ATR ×)",
    unit: "× ATR",
    help: "Target distance from the entry in multiples of the Average True Range. 0.1 to 50.",
  },
];

export function RiskFields({
  values,
  errors,
}: {
  /** In form units (percent for percent fields), as submitted or as RISK_DEFAULTS_INPUT. */
  values: Partial<Record<RiskKey, string | number>>;
  errors: Record<string, string>;
}) {
  return (
    <div className="grid gap-x-6 gap-y-5 sm:grid-cols-2">
      {FIELDS.map((f) => (
        <TextField
          key={f.name}
          name={f.name}
          label={f.label}
          unit={f.unit}
          help={f.help}
          error={errors[f.name]}
          defaultValue={values[f.name] === undefined ? "" : String(values[f.name])}
          inputMode={f.name === "maxOpenPositions" ? "numeric" : "decimal"}
          autoComplete="off"
        />
      ))}
    </div>
  );
}

/** The submitted values to put back in the form after a validation error (numbers only, nothing secret). */
export function submittedRiskValues(form: FormData): Partial<Record<RiskKey, string>> {
  return Object.fromEntries(FIELDS.map((f) => [f.name, String(form.get(f.name) ?? "")]));
}
