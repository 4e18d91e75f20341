// `npm run --silent strategy -- validate FILE [--candles CSV]` and `... backtest FILE --candles CSV`: one JSON object on stdout.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { summariseBacktest } from "./backtest-summary";
import { CandleCsvError, parseCandleCsv } from "./csv-candles";
import { sampleCandles } from "./sample-candles";
import { createStrategyRunner, SandboxUnavailableError } from "./strategy-runner";

const USAGE = `usage:
  strategy validate FILE [--candles CSV] [--params JSON]
  strategy backtest FILE --candles CSV [--params JSON] [--per-bar]
options: --python PATH (default $PYTHON or /usr/bin/python3), --no-sandbox (development only)`;

class UsageError extends Error {}

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + "\n");
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

function parseParams(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new UsageError('--params must be a JSON object, e.g. {"fast": 10}');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      candles: { type: "string" },
      params: { type: "string" },
      python: { type: "string" },
      "no-sandbox": { type: "boolean", default: false },
      "per-bar": { type: "boolean", default: false },
    },
  });
  const [command, file] = positionals;
  if ((command !== "validate" && command !== "backtest") || !file || positionals.length > 2)
    throw new UsageError(USAGE);
  if (command === "backtest" && !values.candles)
    throw new UsageError("backtest needs --candles CSV\n" + USAGE);
  const code = readText(file, "strategy");
  const candles = values.candles ? parseCandleCsv(readText(values.candles, "candles")) : sampleCandles(1000);
  const params = parseParams(values.params);
  const runner = createStrategyRunner({
    python: values.python ?? process.env.PYTHON ?? "/usr/bin/python3",
    sandbox: values["no-sandbox"] ? "none" : "bwrap",
    maxConcurrent: 1,
    logger: { warn: (msg) => process.stderr.write(`WARNING: ${msg}\n`) },
  });

  if (command === "validate") {
    const result = await runner.runLive({ code, params, candles });
    // The manifest carries the declarations a publish needs (e.g. a supported INTERFACE_VERSION).
    const manifest = result.ok ? await runner.readManifest(code) : result;
    print(manifest.ok ? result : manifest);
    return manifest.ok ? 0 : 1;
  }
  const result = await runner.runBacktest({ code, params, candles, perBar: values["per-bar"] });
  if (!result.ok) {
    print(result);
    return 1;
  }
  print({
    ok: true,
    summary: { ...summariseBacktest(candles, result.signals), ms: Math.round(result.ms) },
    signals: result.signals.map((s, i) => ({ time: candles[i].time, ...s })),
    logs: result.logs,
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known =
      err instanceof UsageError || err instanceof CandleCsvError || err instanceof SandboxUnavailableError;
    const kind = err instanceof SandboxUnavailableError ? "sandbox" : "usage";
    print({
      ok: false,
      error: { kind, message: known ? (err as Error).message : String((err as Error)?.stack ?? err) },
    });
    process.exit(2);
  },
);
