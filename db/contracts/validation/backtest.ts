// A backtest request (the backtest page's form and the API): which version, which market, which period, which risk settings.
import { z } from "zod";
import { symbolSchema } from "../domain";
import { hasControlChars, plainText } from "./fields";
import { riskSettingsSchema, type RiskSettings } from "./risk-settings";

/** A UTC instant given as epoch milliseconds (API) or an ISO date / date-time (forms: a date input is YYYY-MM-DD). */
function instantField(label: string) {
  return z
    .preprocess(
      (v) => {
        // Date.parse skips a control character inside a date; such a value stays a string and is refused.
        if (typeof v === "string" && v.trim() !== "" && !hasControlChars(v)) {
          const text = v.trim();
          if (/^\d+$/.test(text)) return Number(text);
          const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
          return Number.isNaN(ms) ? v : ms;
        }
        return typeof v === "string" ? undefined : v;
      },
      z
        .number({
          error: (i) =>
            i.input === undefined ? `${label} is required` : `${label} must be a date like 2024-01-31`,
        })
        .int(`${label} must be a whole number of milliseconds`)
        .min(Date.UTC(2010, 0, 1), `${label} must be on or after 2010-01-01`)
        .max(Date.UTC(2100, 0, 1), `${label} must be before 2100-01-01`),
    )
    .describe("UTC epoch milliseconds, or an ISO date (2024-01-31) or date-time");
}

export const backtestRequestSchema = riskSettingsSchema
  .extend({
    /** The version to test; the strategy's latest published version when absent. */
    versionId: plainText("Version")
      .optional()
      .transform((v) => (v ? v : undefined)),
    symbol: symbolSchema,
    /** "simulated", or the deployment's exchange (MARKET_DATA), whose stored candles are read; default the latter. */
    source: z
      .string()
      .trim()
      .max(40)
      .optional()
      .transform((v) => (v ? v : undefined))
      .describe('Candles to test on: "simulated", or the exchange id MARKET_DATA names (the default)'),
    from: instantField("From"),
    to: instantField("To"),
  })
  .superRefine((v, ctx) => {
    if (v.to <= v.from) ctx.addIssue({ code: "custom", path: ["to"], message: "To must be after From" });
  });
export type BacktestRequest = z.output<typeof backtestRequestSchema>;

/** At most this many candles per backtest (the period is checked against the version's resolution). */
export const MAX_BACKTEST_CANDLES = 100_000;

const RISK_KEYS = Object.keys(riskSettingsSchema.shape) as (keyof RiskSettings)[];

/** Just the risk settings of a row or a request that holds more (a subscription, a backtest request). */
export function pickRiskSettings(source: RiskSettings): RiskSettings {
  return Object.fromEntries(RISK_KEYS.map((k) => [k, source[k]])) as RiskSettings;
}
