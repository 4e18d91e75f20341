// The risk settings fields of the subscribe and edit forms: units and help text; labels and ranges come from the schema.
import { RISK_LIMITS, riskRangeText, type RiskKey } from "../../db/contracts/validation/risk-settings";
import { TextField } from "./forms";
import { echoedText } from "../form-echo";

const FIELDS: { name: RiskKey; unit?: string; help: string }[] = [
  {
    name: "capital",
    unit: "USDT",
    help: "What this subscription trades with; position sizes are computed from it.",
  },
  {
    name: "riskPerTrade",
    unit: "%",
    help: "Share of capital lost if a stop-loss is hit: 1 % of 1,000 USDT risks 10 USDT.",
  },
  {
    name: "leverage",
    unit: "×",
    help: "Caps a position so its margin (value ÷ leverage) and entry fee fit the capital. 1× means no leverage. Isolated margin: a position is liquidated about 1/leverage from its entry (at 5×, a 19.5 % move against it) and loses its margin.",
  },
  {
    name: "maxOpenPositions",
    help: "New signals are skipped while this many trades are open.",
  },
  {
    name: "maxDailyLoss",
    unit: "%",
    help: "Once the day's realised loss reaches this share of capital, new trades wait until 00:00 UTC. A stop hit during a candle counts on the UTC day that candle covers.",
  },
  {
    name: "stopLossAtr",
    unit: "× ATR",
    help: "Stop distance from the entry in multiples of the Average True Range.",
  },
  {
    name: "takeProfitAtr",
    unit: "× ATR",
    help: "Target distance from the entry in multiples of the Average True Range.",
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
          label={RISK_LIMITS[f.name].label}
          unit={f.unit}
          help={`${f.help} ${riskRangeText(f.name)}.`}
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
  return Object.fromEntries(FIELDS.map((f) => [f.name, echoedText(form, f.name)]));
}
