// Broker accounts: paper (simulated fills) or an exchange through ccxt with API credentials.
import { z } from "zod";
import { textField } from "./fields";

export const SUPPORTED_EXCHANGES = ["binance", "bybit", "okx", "kraken"] as const;

const name = textField("Name", { max: 60 });

export const brokerAccountSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("paper"), name }),
    z.object({
      kind: z.literal("exchange"),
      name,
      exchange: z.enum(SUPPORTED_EXCHANGES, {
        error: `Exchange must be one of ${SUPPORTED_EXCHANGES.join(", ")}`,
      }),
      apiKey: textField("API key", { min: 8, max: 256 }),
      secret: textField("API secret", { min: 8, max: 512 }),
      testnet: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()).default(false),
    }),
  ],
  { error: "Kind must be paper or exchange" },
);
export type BrokerAccountInput = z.output<typeof brokerAccountSchema>;
