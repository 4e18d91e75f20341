// The subscription's risk settings: one schema for the subscribe form, the API and the worker.
import { z } from "zod";
import { numberField, plainText } from "./fields";

/** Each risk field's label and range, in the units the user enters (percent fields in percent: 1 = 1 %). */
export const RISK_LIMITS = {
  capital: { label: "Capital", min: 10, max: 100_000_000, unit: " USDT" },
  riskPerTrade: { label: "Risk per trade", min: 0.01, max: 10, unit: " %" },
  leverage: { label: "Leverage", min: 1, max: 20, unit: "×" },
  maxOpenPositions: { label: "Max open positions", min: 1, max: 50, int: true },
  maxDailyLoss: { label: "Max daily loss", min: 0.1, max: 50, unit: " %" },
  stopLossAtr: { label: "Stop-loss (ATR ×)", min: 0.1, max: 20 },
  takeProfitAtr: { label: "Take-profit (ATR ×)", min: 0.1, max: 50 },
} as const;

/** What each risk field means, with its unit (the API document's field descriptions, in and out). */
export const RISK_DESCRIPTIONS: Record<RiskKey, string> = {
  capital: "Capital the risk is sized on, in the quote currency (USDT for BTC/USDT)",
  riskPerTrade: "Capital risked per trade (entry to stop-loss), in percent (1 = 1 %)",
  leverage: "Leverage, a multiple (1 = none)",
  maxOpenPositions: "Open positions at most, a count",
  maxDailyLoss: "Realised loss of a UTC day, in percent of capital, that stops new trades until the next day",
  stopLossAtr: "Stop-loss distance from the entry, in multiples of the ATR (14 candles)",
  takeProfitAtr: "Take-profit distance from the entry, in multiples of the ATR (14 candles)",
};
export type RiskKey = keyof typeof RISK_LIMITS;

const limited = (key: RiskKey) =>
  numberField(RISK_LIMITS[key].label, RISK_LIMITS[key]).meta({ description: RISK_DESCRIPTIONS[key] });
/** Percent fields are entered as percent (1 = 1 %) and stored as fractions (0.01). */
const percent = (key: RiskKey) => limited(key).transform((v) => v / 100);

export const riskSettingsSchema = z.object({
  capital: limited("capital"),
  riskPerTrade: percent("riskPerTrade"),
  leverage: limited("leverage"),
  maxOpenPositions: limited("maxOpenPositions"),
  maxDailyLoss: percent("maxDailyLoss"),
  stopLossAtr: limited("stopLossAtr"),
  takeProfitAtr: limited("takeProfitAtr"),
});
export type RiskSettings = z.output<typeof riskSettingsSchema>;

/** Defaults shown in the form, in the units the form uses (percent for percent fields). */
export const RISK_DEFAULTS_INPUT = {
  capital: 1000,
  riskPerTrade: 1,
  leverage: 1,
  maxOpenPositions: 3,
  maxDailyLoss: 5,
  stopLossAtr: 2,
  takeProfitAtr: 3,
} as const;

/** A field's accepted range as help text: "10 to 100,000,000", "0.01 to 10 %". */
export function riskRangeText(key: RiskKey): string {
  const { min, max } = RISK_LIMITS[key];
  const unit = "unit" in RISK_LIMITS[key] && RISK_LIMITS[key].unit === " %" ? " %" : "";
  return `${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}${unit}`;
}

/** Stored settings back into form units (fractions to percent). */
export function riskSettingsToInput(s: RiskSettings): Record<keyof RiskSettings, number> {
  return {
    ...s,
    riskPerTrade: +(s.riskPerTrade * 100).toPrecision(12),
    maxDailyLoss: +(s.maxDailyLoss * 100).toPrecision(12),
  };
}

export const subscribeSchema = riskSettingsSchema.extend({
  brokerAccountId: plainText("Broker account", { required: "Broker account is required" }).min(
    1,
    "Broker account is required",
  ),
  pinnedVersionId: plainText("Pinned version")
    .optional()
    .transform((v) => (v ? v : null)),
});
export type SubscribeInput = z.output<typeof subscribeSchema>;
