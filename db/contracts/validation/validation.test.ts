import { readFileSync } from "node:fs";
import { fieldErrors, hasControlChars, parseInput } from "./fields";
import { signUpSchema } from "./account";
import { brokerAccountSchema } from "./broker-account";
import {
  RISK_DEFAULTS_INPUT,
  RISK_LIMITS,
  riskRangeText,
  riskSettingsSchema,
  riskSettingsToInput,
  subscribeSchema,
} from "./risk-settings";
import {
  neededLookback,
  SDK_DEFAULT_LOOKBACK,
  strategyMetaSchema,
  strategyVersionSchema,
  versionRank,
} from "./strategy";

const errorsOf = (schema: Parameters<typeof parseInput>[0], input: Record<string, unknown>) => {
  const r = parseInput(schema, input);
  if (r.ok) throw new Error("expected errors");
  return r.errors;
};

describe("risk settings", () => {
  const valid = { ...RISK_DEFAULTS_INPUT, brokerAccountId: "b1" };

  it("accepts the defaults and stores percents as fractions", () => {
    const s = subscribeSchema.parse(valid);
    expect(s).toMatchObject({ capital: 1000, riskPerTrade: 0.01, maxDailyLoss: 0.05, pinnedVersionId: null });
    expect(riskSettingsToInput(riskSettingsSchema.parse(RISK_DEFAULTS_INPUT))).toEqual(RISK_DEFAULTS_INPUT);
  });

  it("states in the help text exactly the range the schema accepts", () => {
    expect(riskRangeText("capital")).toBe("10 to 100,000,000");
    expect(riskRangeText("riskPerTrade")).toBe("0.01 to 10 %");
    for (const [key, { min, max }] of Object.entries(RISK_LIMITS)) {
      const at = (v: number) => riskSettingsSchema.safeParse({ ...RISK_DEFAULTS_INPUT, [key]: v }).success;
      expect([at(min), at(max), at(min - 0.001), at(max + 1)], key).toEqual([true, true, false, false]);
    }
  });

  it("accepts form strings", () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(valid)) form.set(k, String(v));
    form.set("capital", "2,500");
    const r = parseInput(subscribeSchema, form);
    expect(r.ok && r.data.capital).toBe(2500);
  });

  it.each([
    ["capital", "5", "Capital must be at least 10 USDT"],
    ["capital", "", "Capital is required"],
    ["capital", "lots", "Capital must be a number"],
    ["riskPerTrade", "25", "Risk per trade must be at most 10 %"],
    ["leverage", "0.5", "Leverage must be at least 1×"],
    ["leverage", "100", "Leverage must be at most 20×"],
    ["maxOpenPositions", "2.5", "Max open positions must be a whole number"],
    ["maxOpenPositions", "0", "Max open positions must be at least 1"],
    ["maxDailyLoss", "0", "Max daily loss must be at least 0.1 %"],
    ["stopLossAtr", "0", "Stop-loss (ATR ×) must be at least 0.1"],
    ["takeProfitAtr", "99", "Take-profit (ATR ×) must be at most 50"],
    ["brokerAccountId", "", "Broker account is required"],
  ])("rejects %s=%j naming the field", (field, value, message) => {
    expect(errorsOf(subscribeSchema, { ...valid, [field]: value })).toEqual({ [field]: message });
  });
});

describe("sign-up", () => {
  it.each([
    ["email", "not-an-email", "Email must be a valid email address"],
    ["email", "", "Email is required"],
    ["password", "short", "Password must be at least 8 characters"],
    ["name", "", "Name is required"],
  ])("rejects %s=%j", (field, value, message) => {
    const input = { email: "a@b.co", name: "Ann", password: "long-enough", [field]: value };
    expect(errorsOf(signUpSchema, input)[field]).toBe(message);
  });

  it("normalises the email", () => {
    expect(signUpSchema.parse({ email: " Ann@Example.COM ", name: "Ann", password: "12345678" }).email).toBe(
      "ann@example.com",
    );
  });
});

describe("strategy metadata and versions", () => {
  const meta = {
    name: "Trend",
    slug: "trend-1",
    description: "",
    tags: "trend, momentum",
    visibility: "public",
  };
  const version = {
    version: "1.2.3",
    code: "class X: pass",
    symbols: "btc/usdt, ETH/USDT",
    resolution: "1h",
    lookback: "100",
  };

  it("parses form input", () => {
    expect(strategyMetaSchema.parse(meta).tags).toEqual(["trend", "momentum"]);
    expect(strategyVersionSchema.parse(version)).toMatchObject({
      symbols: ["BTC/USDT", "ETH/USDT"],
      lookback: 100,
    });
  });

  it.each([
    ["slug", "Bad Slug!", "Slug may contain only a-z, 0-9 and single dashes"],
    ["name", "ab", "Name must be at least 3 characters"],
    ["visibility", "secret", "Visibility must be draft or public"],
  ])("metadata rejects %s=%j", (field, value, message) => {
    expect(errorsOf(strategyMetaSchema, { ...meta, [field]: value })[field]).toBe(message);
  });

  it("names the bad tag's position", () => {
    expect(errorsOf(strategyMetaSchema, { ...meta, tags: "ok, not ok!" })).toHaveProperty("tags.1");
  });

  it.each([
    ["version", "1.2", "Version must be semver like 1.2.3 (each part 0-999)"],
    ["code", "", "Code is required"],
    ["resolution", "2h", "Resolution must be one of 1m, 5m, 15m, 1h, 4h, 1d"],
    ["lookback", "5", "Lookback must be at least 10"],
    ["symbols", "", "Symbols needs at least one entry"],
    [
      "code",
      "class X(Strategy):\n    INTERFACE_VERSION = 2\n",
      "INTERFACE_VERSION 2 is not supported by this host (supported: 1)",
    ],
  ])("version rejects %s=%j", (field, value, message) => {
    expect(errorsOf(strategyVersionSchema, { ...version, [field]: value })[field]).toBe(message);
  });

  it("accepts the supported INTERFACE_VERSION, declared or not", () => {
    for (const code of ["class X(Strategy):\n    INTERFACE_VERSION: int = 1  # current\n", "class X: pass"]) {
      expect(strategyVersionSchema.parse({ ...version, code }).code).toBe(code);
    }
  });

  describe("lookback against the strategy class (issue 15 item 9)", () => {
    const cls = (body: string) =>
      `from candlecast import Strategy\n\nclass Breakout(Strategy):\n    """Doc."""\n${body}\n    def on_candle(self, candles):\n        lookback = 3  # a local, not the class's\n        return None\n`;

    it.each([
      ["    lookback = 120\n", { value: 120, declared: true }],
      ["    lookback: int = 80  # bars\n", { value: 80, declared: true }],
      ["    name = 'x'\n", { value: SDK_DEFAULT_LOOKBACK, declared: false }],
      ["    lookback = 2 * WINDOW\n", null],
    ])("reads %j from the class body", (body, needed) => {
      expect(neededLookback(cls(body))).toEqual(needed);
    });

    it("refuses a smaller lookback naming the field and the needed value; accepts it or more", () => {
      const code = cls("    lookback = 120\n");
      expect(errorsOf(strategyVersionSchema, { ...version, code, lookback: "50" })).toEqual({
        lookback:
          "Lookback must be at least 120: the strategy class declares lookback = 120 (a smaller window would hold every run as warm-up)",
      });
      expect(strategyVersionSchema.parse({ ...version, code, lookback: "120" }).lookback).toBe(120);
      expect(strategyVersionSchema.parse({ ...version, code, lookback: "500" }).lookback).toBe(500);
      const inherits = errorsOf(strategyVersionSchema, { ...version, code: cls(""), lookback: "99" });
      expect(inherits.lookback).toMatch(/^Lookback must be at least 100: .*inherits Strategy.lookback = 100/);
    });

    it("knows the SDK's default", () => {
      const sdk = readFileSync(new URL("../../../python/candlecast/strategy.py", import.meta.url), "utf8");
      expect(/^ {4}lookback = (\d+)$/m.exec(sdk)?.[1]).toBe(String(SDK_DEFAULT_LOOKBACK));
    });
  });

  it("ranks versions numerically", () => {
    expect(versionRank("1.10.0")).toBeGreaterThan(versionRank("1.9.9"));
    expect(versionRank("2.0.0")).toBeGreaterThan(versionRank("1.999.999"));
  });
});

describe("broker accounts", () => {
  it("accepts a paper account and an exchange account", () => {
    expect(brokerAccountSchema.parse({ kind: "paper", name: "Paper" })).toEqual({
      kind: "paper",
      name: "Paper",
    });
    expect(
      brokerAccountSchema.parse({
        kind: "exchange",
        name: "Main",
        exchange: "binance",
        apiKey: "k".repeat(16),
        secret: "s".repeat(16),
        testnet: "on",
      }),
    ).toMatchObject({ testnet: true });
  });

  it.each([
    ["exchange", "nyse", "Exchange must be one of binance, bybit, okx, kraken"],
    ["apiKey", "", "API key is required"],
    ["secret", "short", "API secret must be at least 8 characters"],
  ])("rejects %s=%j", (field, value, message) => {
    const input = {
      kind: "exchange",
      name: "Main",
      exchange: "binance",
      apiKey: "k".repeat(16),
      secret: "s".repeat(16),
      [field]: value,
    };
    expect(errorsOf(brokerAccountSchema, input)[field]).toBe(message);
  });

  it("rejects an unknown kind naming the field", () => {
    expect(fieldErrors(brokerAccountSchema.safeParse({ kind: "crypto" }).error!)).toHaveProperty("kind");
  });
});

describe("control characters", () => {
  it.each([
    ["plain text", "Trend follower 2", false, false],
    ["non-ASCII letters, a no-break space and an emoji", "Café\u00a0Été 🚀", false, false],
    ["NUL", "ab\u0000cd", true, true],
    ["ESC", "\u001b[31mred", true, true],
    ["DEL", "ab\u007f", true, true],
    ["a C1 control (NEL)", "ab\u0085cd", true, true],
    ["a tab", "a\tb", true, false],
    ["line breaks", "a\r\nb\nc", true, false],
    ["a form feed", "a\u000cb", true, true],
  ])("%s: single-line refused %s, multi-line refused %s", (_name, text, single, multi) => {
    expect(hasControlChars(text)).toBe(single);
    expect(hasControlChars(text, { multiline: true })).toBe(multi);
  });

  it("is checked before the trim: a trailing tab in a single-line field is refused", () => {
    expect(errorsOf(strategyMetaSchema, { name: "Trend\t", slug: "trend" })).toEqual({
      name: "Name must not contain control characters",
    });
  });
});
