// Seed data: the example strategies (python/examples) under a demo author, and optional demo subscribers.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { count, eq } from "drizzle-orm";
import type { Db } from "../db/store/client";
import { newId } from "../db/platform/ids";
import { hashPassword } from "../db/platform/password";
import { createStrategy, publishVersion } from "../db/store/queries/strategies";
import { refreshSubscriberCountSql } from "../db/store/queries/strategies";
import { createUser, findUserByEmail } from "../db/store/queries/users";
import { brokerAccounts, strategies, subscriptions, users } from "../db/store/schema";
import { riskSettingsSchema, RISK_DEFAULTS_INPUT } from "../db/contracts/validation/risk-settings";
import { strategyMetaSchema, strategyVersionSchema } from "../db/contracts/validation/strategy";
import { backtestRequestSchema } from "../db/contracts/validation/backtest";
import { RESOLUTION_MS, SIMULATED_SOURCE, utcDayStart } from "../db/contracts/domain";
import { createBacktest } from "../db/store/queries/backtests";
import type { StrategyRunner } from "../worker/runtime";

export const EXAMPLES_DIR = fileURLToPath(new URL("../python/examples", import.meta.url));
export const DEMO_AUTHOR = {
  email: "author@candlecast.dev",
  name: "Candlecast Labs",
  password: "candlecast-demo",
};

/** The days of simulated history each example is backtested over when it is seeded. */
export const EXAMPLE_BACKTEST_DAYS = 90;

/** The author's backtest of an example: its first market, the last EXAMPLE_BACKTEST_DAYS whole UTC days, default risk. */
function exampleBacktest(symbol: string, now: number) {
  const to = utcDayStart(now);
  return backtestRequestSchema.parse({
    ...RISK_DEFAULTS_INPUT,
    symbol,
    source: SIMULATED_SOURCE,
    from: to - EXAMPLE_BACKTEST_DAYS * RESOLUTION_MS["1d"],
    to,
  });
}

/**
 * A docstring as a page description: its paragraphs kept, the lines inside each (hard-wrapped at the
 * code's width) joined, so the page wraps them at its own width.
 */
export function unwrapDocstring(docstring: string): string {
  return docstring
    .split(/\n\s*\n/)
    .map((paragraph) =>
      paragraph
        .trim()
        .split(/\s*\n\s*/)
        .join(" "),
    )
    .filter(Boolean)
    .join("\n\n");
}

/**
 * Loads every python/examples/*.py as a public strategy with version 1.0.0, reading its manifest (never
 * running it), and queues the author's backtest of each on the simulated market: a worker runs them (it
 * sends the job of every queued backtest when it starts), so the marketplace has figures from the start.
 */
export async function seedExamples(db: Db, runner: StrategyRunner, now = Date.now()) {
  const author = (await findUserByEmail(db, DEMO_AUTHOR.email)) ?? (await createUser(db, DEMO_AUTHOR));
  const created: string[] = [];
  for (const file of readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith(".py"))
    .sort()) {
    const code = readFileSync(join(EXAMPLES_DIR, file), "utf8");
    const result = await runner.readManifest(code);
    if (!result.ok) throw new Error(`${file}: ${result.error.kind}: ${result.error.message}`);
    const m = result.manifest;
    const slug = file.replace(/\.py$/, "").replace(/_/g, "-");
    if (await db.query.strategies.findFirst({ where: eq(strategies.slug, slug), columns: { id: true } }))
      continue;
    const meta = strategyMetaSchema.parse({
      name: m.name,
      slug,
      description: unwrapDocstring(m.docstring) || m.description,
      tags: m.tags,
      visibility: "public",
    });
    const { id } = await createStrategy(db, author.id, meta);
    const symbols = m.symbols.length ? m.symbols : ["BTC/USDT"];
    await publishVersion(
      db,
      author.id,
      id,
      strategyVersionSchema.parse({
        version: "1.0.0",
        code,
        symbols,
        resolution: m.resolution ?? "1h",
        lookback: m.lookback ?? 100,
        changelog: "First release.",
      }),
    );
    await createBacktest(db, author.id, id, exampleBacktest(symbols[0], now), {
      marketSource: SIMULATED_SOURCE,
    });
    created.push(slug);
  }
  return { authorId: author.id, created };
}

/** Demo users with `n` active paper subscriptions spread round-robin over the public strategies. */
export async function seedDemoSubscribers(db: Db, n: number) {
  const targets = await db
    .select({ id: strategies.id })
    .from(strategies)
    .where(eq(strategies.visibility, "public"));
  if (targets.length === 0) throw new Error("no public strategies to subscribe to: seed the examples first");
  const settings = riskSettingsSchema.parse(RISK_DEFAULTS_INPUT);
  const passwordHash = await hashPassword("demo-password");
  const batch = 500;
  for (let start = 0; start < n; start += batch) {
    const size = Math.min(batch, n - start);
    const userRows = [];
    const brokerRows = [];
    const subRows = [];
    for (let i = 0; i < size; i++) {
      const userId = newId();
      const brokerId = newId();
      userRows.push({
        id: userId,
        email: `demo-${start + i}-${userId.slice(-6)}@candlecast.dev`,
        name: `Demo ${start + i}`,
        passwordHash,
      });
      brokerRows.push({ id: brokerId, userId, name: "Paper account", kind: "paper" as const });
      subRows.push({
        id: newId(),
        userId,
        strategyId: targets[(start + i) % targets.length].id,
        brokerAccountId: brokerId,
        ...settings,
      });
    }
    await db.batch([
      db.insert(users).values(userRows),
      db.insert(brokerAccounts).values(brokerRows),
      db.insert(subscriptions).values(subRows),
    ]);
  }
  for (const t of targets) await db.run(refreshSubscriberCountSql(t.id));
  return { subscriptions: n, strategies: targets.length };
}

/** First run only: seeds the examples when the store has no strategy at all. */
export async function seedIfEmpty(db: Db, runner: StrategyRunner) {
  const [{ n }] = await db.select({ n: count() }).from(strategies);
  if (n > 0) return null;
  return seedExamples(db, runner);
}
