// Valid risk settings as the subscribe form posts them (percent fields in percent).
export const VALID_RISK_FORM = {
  capital: "2500",
  riskPerTrade: "1.5",
  leverage: "2",
  maxOpenPositions: "4",
  maxDailyLoss: "5",
  stopLossAtr: "2",
  takeProfitAtr: "3",
};
