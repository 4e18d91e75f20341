// First start: the examples are seeded with a backtest each, queued; a worker starting runs them in the
// background; the strategy pages show their progress and the marketplace their figures, labelled as backtests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { createInfra, type Infra } from "../db/infra/index.server";
import { QUEUES } from "../db/contracts/queues-and-channels";
import { RESOLUTION_MS, SIMULATED_SOURCE } from "../db/contracts/domain";
import { backtests, strategies } from "../db/store/schema";
import { createApiHarness, type ApiHarness } from "../test/api-harness";
import { createQueue, type Queue } from "../worker/queue";
import { createStrategyRunner, type StrategyRunner } from "../worker/runtime";
import { createJobSender, registerAuthorJobs, type RegisteredAuthorJobs } from "../worker/jobs";
import { EXAMPLE_BACKTEST_DAYS, seedExamples, unwrapDocstring } from "./seed";

const NOW = Date.UTC(2025, 5, 15, 13, 30);

let h: ApiHarness;
let infra: Infra;
let queue: Queue;
let runner: StrategyRunner;
let worker: RegisteredAuthorJobs | undefined;
let dataDir: string;

beforeAll(async () => {
  h = await createApiHarness({ runJobs: false });
  infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  dataDir = mkdtempSync(join(tmpdir(), "candlecast-seed-"));
  queue = await createQueue({ dataDir });
  runner = createStrategyRunner({ maxConcurrent: 2 });
});
afterAll(async () => {
  await worker?.stop();
  await queue?.close();
  await runner?.close();
  await infra?.close();
  await h.t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const seededBacktests = () => h.t.store.db.select().from(backtests);

describe("the examples' first start", () => {
  it("queues the author's backtest of each example: its first market, the last 90 whole UTC days, simulated", async () => {
    const seeded = await seedExamples(h.t.store.db, runner, NOW);
    expect(seeded.created.length).toBeGreaterThanOrEqual(4);
    const rows = await seededBacktests();
    expect(rows).toHaveLength(seeded.created.length);
    const dayStart = NOW - (NOW % RESOLUTION_MS["1d"]);
    for (const b of rows) {
      expect(b).toMatchObject({
        userId: seeded.authorId,
        status: "queued",
        marketSource: SIMULATED_SOURCE,
        toTime: dayStart,
        fromTime: dayStart - EXAMPLE_BACKTEST_DAYS * RESOLUTION_MS["1d"],
      });
    }
    // The docstring's hard-wrapped lines are joined; its paragraphs stay apart.
    const [sma] = await h.t.store.db
      .select({ description: strategies.description })
      .from(strategies)
      .where(eq(strategies.slug, "sma-crossover"));
    expect(sma.description.split("\n\n")).toHaveLength(2);
    expect(sma.description).toContain("backtests over long histories are fast");
    // Seeding again adds nothing.
    expect((await seedExamples(h.t.store.db, runner, NOW)).created).toEqual([]);
    expect(await seededBacktests()).toHaveLength(rows.length);
  });

  it("unwraps a docstring's lines into paragraphs", () => {
    expect(unwrapDocstring("Title line.\n\nOne sentence\n  wrapped here.\n\n\n  Another.\n")).toBe(
      "Title line.\n\nOne sentence wrapped here.\n\nAnother.",
    );
    expect(unwrapDocstring("")).toBe("");
  });

  it("shows a queued backtest on the strategy page, labelled, before any figure exists", async () => {
    const [first] = await h.t.store.db.select({ slug: strategies.slug }).from(strategies);
    const page = await h.call("GET", `/strategies/${first.slug}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Backtest queued");
    expect(page.body).toContain("Simulated market");
    expect(page.body).toContain('role="progressbar"');
  });

  it("a worker starting sends the queued backtests' jobs and runs them; the marketplace then shows figures", async () => {
    worker = await registerAuthorJobs(queue.boss, {
      store: h.t.store,
      bus: infra.bus,
      lock: infra.lock,
      runner,
    });
    await vi.waitFor(
      async () => {
        const rows = await seededBacktests();
        expect(rows.map((b) => [b.status, b.error])).toEqual(rows.map(() => ["completed", null]));
      },
      { timeout: 120_000, interval: 250 },
    );
    const home = await h.call("GET", "/");
    expect(home.status).toBe(200);
    const rows = await seededBacktests();
    expect(home.body.match(/Backtest<\/dt>/g)?.length).toBe(rows.length);
    expect(home.body).toContain("No live trades yet · backtest return on history");
    const [first] = await h.t.store.db
      .select({ slug: strategies.slug })
      .from(strategies)
      .where(eq(strategies.id, rows[0].strategyId));
    const page = await h.call("GET", `/strategies/${first.slug}`);
    expect(page.body).not.toContain("Backtest queued");
    expect(page.body).toContain("The author&#x27;s latest completed backtest");
  }, 150_000);

  it("a backtest's job id is the backtest's: sending it again adds no second job", async () => {
    const sender = createJobSender(queue.boss, infra.bus, { warn: () => {} });
    const [b] = await seededBacktests();
    expect(await sender.send(QUEUES.runBacktest, { backtestId: b.id })).toBeNull();
  });
});
