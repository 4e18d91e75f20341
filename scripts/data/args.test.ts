// parseCommand: each command's arguments checked, and every bad one a UsageError naming it.
import { parseCommand, parseInstant, UsageError } from "./args";

const usageError = (argv: string[]) => {
  try {
    parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(" ")}`);
};

describe("parseCommand", () => {
  it("reads each command", () => {
    expect(
      parseCommand(["download", "--symbols", "btc/usdt, ETH/USDT", "--resolution", "1h", "--from", "2024-01-01"]),
    ).toEqual({
      command: "download",
      symbols: ["BTC/USDT", "ETH/USDT"],
      resolution: "1h",
      from: Date.UTC(2024, 0, 1),
      to: undefined,
    });
    expect(
      parseCommand(["import", "a.csv", "--symbol", "BTC/USDT", "--resolution", "4h", "--source", "binance"]),
    ).toEqual({ command: "import", file: "a.csv", symbol: "BTC/USDT", resolution: "4h", source: "binance" });
    expect(parseCommand(["list", "--json"])).toEqual({ command: "list", json: true });
    expect(parseCommand(["list"])).toEqual({ command: "list", json: false });
  });

  it("reads times as UTC: a date, a date-time with or without a zone, epoch ms", () => {
    expect(parseInstant("2024-03-01", "from")).toBe(Date.UTC(2024, 2, 1));
    expect(parseInstant("2024-03-01T06:30", "from")).toBe(Date.UTC(2024, 2, 1, 6, 30));
    expect(parseInstant("2024-03-01T06:30:00+02:00", "from")).toBe(Date.UTC(2024, 2, 1, 4, 30));
    expect(parseInstant("1709251200000", "to")).toBe(Date.UTC(2024, 2, 1));
  });

  it.each([
    [[], "a command is required"],
    [["fetch"], 'unknown command "fetch"'],
    [["download", "--symbols", "BTC/USDT", "--from", "2024-01-01"], "--resolution is required"],
    [["download", "--resolution", "1h", "--from", "2024-01-01"], "--symbols is required"],
    [["download", "--symbols", "BTC/USDT", "--resolution", "1h"], "--from is required"],
    [["download", "--symbols", "BTC/USDT", "--resolution", "2h", "--from", "2024-01-01"], '--resolution: "2h" is not one of 1m, 5m, 15m, 1h, 4h, 1d'],
    [["download", "--symbols", "BTC/USDT,BTCUSDT", "--resolution", "1h", "--from", "2024-01-01"], '--symbols: "BTCUSDT" is not a symbol like BTC/USDT'],
    [["download", "--symbols", "BTC/USDT,BTC/USDT", "--resolution", "1h", "--from", "2024-01-01"], "--symbols: a symbol is listed twice"],
    [["download", "--symbols", "BTC/USDT", "--resolution", "1h", "--from", "2024-13-45"], '--from: "2024-13-45" is not a date'],
    [["download", "--symbols", "BTC/USDT", "--resolution", "1h", "--from", "2024-02-01", "--to", "2024-01-01"], "--to must be after --from"],
    [["download", "--symbols", "BTC/USDT", "--resolution", "1h", "--from", "2024-01-01", "--json"], "--json is not an option of download"],
    [["import", "--symbol", "BTC/USDT", "--resolution", "1h"], "import needs FILE"],
    [["import", "a.csv", "b.csv", "--symbol", "BTC/USDT", "--resolution", "1h"], 'unexpected argument "b.csv" for import'],
    [["import", "a.csv", "--resolution", "1h"], "--symbol is required"],
    [["list", "--symbols", "BTC/USDT"], "--symbols is not an option of list"],
    [["list", "--jsn"], "Unknown option '--jsn'"],
  ])("%j is refused: %s", (argv, message) => {
    expect(usageError(argv)).toContain(message);
  });
});
