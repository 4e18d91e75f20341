// The exchange simulator as its own process (`npm run exchange-sim`): started on a free port, read over HTTP.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Candle } from "../../db/contracts/domain";
import type { Fill, OrderList, SimOrder, Balance } from "../../scripts/exchange-sim/ledger";
import type { Faults } from "../../scripts/exchange-sim/state";

/** GET /__sim/orders: what each account holds and did. */
export interface SimAccountDump {
  apiKey: string;
  balances: Record<string, Balance>;
  orders: SimOrder[];
  lists: OrderList[];
  fills: Fill[];
}

export interface ExchangeSimProcess {
  base: string;
  /** For a CSV: the open time its first row was laid onto. */
  replayStart?: number;
  /** Requests per path seen since the last reset. */
  requests(): Promise<Record<string, number>>;
  resetRequests(): Promise<void>;
  setFaults(faults: Partial<Faults>): Promise<void>;
  /** Creates the account (or sets its secret and free balances). */
  addAccount(account: { apiKey: string; secret: string; balances: Record<string, number> }): Promise<void>;
  orders(): Promise<SimAccountDump[]>;
  /** SIGTERM; resolves once the process has exited (its --state written). */
  stop(): Promise<void>;
}

/** Writes candles as the CLI's CSV (`time,open,high,low,close,volume`) and returns its path. */
export function writeCandleCsv(rows: Candle[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "exchange-sim-")), "candles.csv");
  writeFileSync(
    file,
    [
      "time,open,high,low,close,volume",
      ...rows.map((r) => [r.time, r.open, r.high, r.low, r.close, r.volume].join(",")),
    ].join("\n"),
  );
  return file;
}

export async function startExchangeSim(args: string[] = []): Promise<ExchangeSimProcess> {
  const child = spawn("node_modules/.bin/tsx", ["scripts/exchange-sim/cli.ts", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").once("data", resolve);
    child.once("exit", (code) => reject(new Error(`the exchange simulator exited (${code})`)));
  });
  const { listening: base, replayStart } = JSON.parse(line) as { listening: string; replayStart?: number };
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`simulator ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    base,
    replayStart,
    requests: async () =>
      ((await control("GET", "/__sim/stats")) as { requests: Record<string, number> }).requests,
    resetRequests: async () => void (await control("DELETE", "/__sim/stats")),
    setFaults: async (faults) => void (await control("POST", "/__sim/faults", faults)),
    addAccount: async (account) => void (await control("POST", "/__sim/accounts", account)),
    orders: async () => ((await control("GET", "/__sim/orders")) as { accounts: SimAccountDump[] }).accounts,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}
