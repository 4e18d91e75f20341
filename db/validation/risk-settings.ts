// The subscription's risk settings: one schema for the subscribe form, the API and the worker.
import { z } from "zod";
import { numberField } from "./fields";

/** Percent fields are entered as percent (1 = 1 %) and stored as fractions (0.01). */
const percent = (label: string, min: number, max: number) =>
  numberField(label, { min, max, unit: " %" }).transform((v) => v / 100);

export const riskSettingsSchema = z.object({
  capital: numberField("Capital", { min: 10, max: 100_000_000, unit: " USDT" }),
  riskPerTrade: percent("Risk per trade", 0.01, 10),
  leverage: numberField("Leverage", { min: 1, max: 20, unit: "×" }),
  maxOpenPositions: numberField("Max open positions", { min: 1, max: 50, int: true }),
  maxDailyLoss: percent("Max daily loss", 0.1, 50),
  stopLossAtr: numberField("Stop-loss (ATR ×)", { min: 0.1, max: 20 }),
  takeProfitAtr: numberField("Take-profit (ATR ×)", { min: 0.1, max: 50 }),
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

/** Stored settings back into form units (fractions to percent). */
export function riskSettingsToInput(s: RiskSettings): Record<keyof RiskSettings, number> {
  return {
    ...s,
    riskPerTrade: +(s.riskPerTrade * 100).toPrecision(12),
    maxDailyLoss: +(s.maxDailyLoss * 100).toPrecision(12),
  };
}

export const subscribeSchema = riskSettingsSchema.extend({
  brokerAccountId: z.string({ error: "Broker account is required" }).min(1, "Broker account is required"),
  pinnedVersionId: z
    .string()
    .optional()
    .transform((v) => (v ? v : null)),
});
export type SubscribeInput = z.output<typeof subscribeSchema>;
