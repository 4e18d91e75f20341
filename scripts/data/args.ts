// The `npm run data` command line: which command, with which checked arguments; a bad one is a UsageError naming it.
import { parseArgs } from "node:util";
import { resolutionSchema, symbolSchema, type Resolution } from "../../db/contracts/domain";

export const USAGE = `usage: npm run --silent data -- COMMAND
  download --symbols BTC/USDT,ETH/USDT --resolution 1h --from 2024-01-01 [--to 2024-07-01]
  import FILE --symbol BTC/USDT --resolution 1h [--source binance]
  list [--json]
times: YYYY-MM-DD, an ISO date-time (UTC unless it says otherwise) or epoch milliseconds`;

/** Exit code 2: the command line is wrong; the message names the argument. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type Command =
  | { command: "download"; symbols: string[]; resolution: Resolution; from: number; to?: number }
  | { command: "import"; file: string; symbol: string; resolution: Resolution; source?: string }
  | { command: "list"; json: boolean };

const OPTIONS = {
  symbols: { type: "string" },
  symbol: { type: "string" },
  resolution: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  source: { type: "string" },
  json: { type: "boolean" },
} as const;
type Option = keyof typeof OPTIONS;

const ALLOWED: Record<Command["command"], Option[]> = {
  download: ["symbols", "resolution", "from", "to"],
  import: ["symbol", "resolution", "source"],
  list: ["json"],
};

function required(values: Partial<Record<Option, unknown>>, name: Option): string {
  const value = values[name];
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${name} is required`);
  return value;
}

function symbol(raw: string, name: Option): string {
  const parsed = symbolSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`--${name}: "${raw}" is not a symbol like BTC/USDT`);
  return parsed.data;
}

function resolution(raw: string): Resolution {
  const parsed = resolutionSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(`--resolution: "${raw}" is not one of ${resolutionSchema.options.join(", ")}`);
  return parsed.data;
}

/** A UTC instant: a date alone is its midnight, a date-time without a zone is read as UTC. */
export function parseInstant(raw: string, name: string): number {
  const text = raw.trim();
  let ms = NaN;
  if (/^\d+$/.test(text)) ms = Number(text);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) ms = Date.parse(`${text}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(text))
    ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`);
  if (!Number.isFinite(ms))
    throw new UsageError(`--${name}: "${raw}" is not a date (YYYY-MM-DD, an ISO date-time or epoch ms)`);
  return ms;
}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError("a command is required (download, import or list)");
  if (!(command in ALLOWED)) throw new UsageError(`unknown command "${command}" (download, import or list)`);
  const name = command as Command["command"];
  const stray = (Object.keys(values) as Option[]).find((option) => !ALLOWED[name].includes(option));
  if (stray) throw new UsageError(`--${stray} is not an option of ${name}`);
  const expectedPositionals = name === "import" ? 1 : 0;
  if (rest.length > expectedPositionals)
    throw new UsageError(`unexpected argument "${rest[expectedPositionals]}" for ${name}`);

  if (name === "list") return { command: "list", json: values.json === true };
  if (name === "import") {
    const [file] = rest;
    if (!file) throw new UsageError("import needs FILE (a CSV of candles)");
    return {
      command: "import",
      file,
      symbol: symbol(required(values, "symbol"), "symbol"),
      resolution: resolution(required(values, "resolution")),
      source: values.source?.trim() || undefined,
    };
  }
  const symbols = required(values, "symbols")
    .split(",")
    .map((s) => symbol(s.trim(), "symbols"));
  if (new Set(symbols).size !== symbols.length) throw new UsageError("--symbols: a symbol is listed twice");
  const from = parseInstant(required(values, "from"), "from");
  const to = values.to === undefined ? undefined : parseInstant(values.to, "to");
  if (to !== undefined && to <= from) throw new UsageError("--to must be after --from");
  return { command: "download", symbols, resolution: resolution(required(values, "resolution")), from, to };
}
