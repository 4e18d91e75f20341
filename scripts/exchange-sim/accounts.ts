// The simulator's accounts: an API key, its secret and balances; signed requests are checked as Binance checks them.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Ledger } from "./ledger";
import { binanceError, type SimRequest, type SimResponse } from "./router";

export const accountInputSchema = z
  .object({
    apiKey: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ or -, 1 to 64 of them"),
    secret: z.string().min(1).max(128),
    balances: z.record(
      z.string().regex(/^[A-Z0-9]{1,20}$/, "an asset such as USDT"),
      z.number().finite().min(0),
    ),
  })
  .strict();
export type AccountInput = z.infer<typeof accountInputSchema>;

/** Creates the account, or gives an existing one this secret and these free balances (its open orders keep their locks). */
export function upsertAccount(ledger: Ledger, input: AccountInput) {
  const account = (ledger.accounts[input.apiKey] ??= {
    apiKey: input.apiKey,
    secret: input.secret,
    balances: {},
  });
  account.secret = input.secret;
  for (const [asset, free] of Object.entries(input.balances))
    account.balances[asset] = { free, locked: account.balances[asset]?.locked ?? 0 };
  return account;
}

/** Binance's default and largest recvWindow. */
const DEFAULT_RECV_WINDOW = 5_000;
const MAX_RECV_WINDOW = 60_000;

const withoutSignature = (raw: string) =>
  raw
    .split("&")
    .filter((part) => part !== "" && !part.startsWith("signature="))
    .join("&");

const missing = (name: string) =>
  binanceError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);

export interface SignedRequest {
  apiKey: string;
  /** Query and form body together. */
  params: URLSearchParams;
}

/**
 * A USER_DATA/TRADE request: the key in X-MBX-APIKEY, an HMAC-SHA256 `signature` over the query
 * string followed by the body, and a `timestamp` within `recvWindow` of the wall clock (the
 * transport's clock, which the client's own follows even when --time-scale speeds up the market's).
 */
export function authenticate(
  ledger: Ledger,
  request: SimRequest,
  wallNow: number,
): SignedRequest | SimResponse {
  const header = request.headers["x-mbx-apikey"];
  const apiKey = Array.isArray(header) ? header[0] : header;
  if (!apiKey) return binanceError(401, -2014, "API-key format invalid.");
  const account = ledger.accounts[apiKey];
  if (!account) return binanceError(401, -2015, "Invalid API-key, IP, or permissions for action.");
  const params = new URLSearchParams([...request.query, ...new URLSearchParams(request.body)]);
  const signature = params.get("signature");
  if (!signature) return missing("signature");
  const expected = createHmac("sha256", account.secret)
    .update(withoutSignature(request.rawQuery) + withoutSignature(request.body))
    .digest();
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return binanceError(400, -1022, "Signature for this request is not valid.");
  const timestamp = params.get("timestamp");
  if (!timestamp || !/^\d+$/.test(timestamp)) return missing("timestamp");
  const recvWindowRaw = params.get("recvWindow");
  const recvWindow = recvWindowRaw === null ? DEFAULT_RECV_WINDOW : Number(recvWindowRaw);
  if (!Number.isInteger(recvWindow) || recvWindow <= 0 || recvWindow > MAX_RECV_WINDOW)
    return binanceError(400, -1131, `recvWindow must be less than ${MAX_RECV_WINDOW}`);
  if (Number(timestamp) >= wallNow + 1_000)
    return binanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (wallNow - Number(timestamp) > recvWindow)
    return binanceError(400, -1021, "Timestamp for this request is outside of the recvWindow.");
  params.delete("signature");
  return { apiKey, params };
}
