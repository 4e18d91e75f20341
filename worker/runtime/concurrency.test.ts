// The fair slot pool: who gets a freed slot, how many an author holds while others wait, and release.
import { SlotPool, type Share } from "./concurrency";

const share = (author: string, strategy = `${author}-s`): Share => ({ author, strategy });

/** Asks for a slot and notes, in order, who got one. */
function asker(pool: SlotPool, got: string[]) {
  return (s: Share, name = s.strategy) =>
    pool.acquire(s).then((slot) => {
      got.push(name);
      return slot;
    });
}

const settle = () => new Promise((r) => setImmediate(r));

it("gives a free slot at once, to one author as many as there are (work-conserving)", async () => {
  const pool = new SlotPool(3);
  const slots = await Promise.all([1, 2, 3].map((i) => pool.acquire(share("a", `a${i}`))));
  expect(slots.sort()).toEqual([0, 1, 2]);
});

it("hands a freed slot to the waiting author that holds the fewest, before an earlier waiter", async () => {
  const pool = new SlotPool(2);
  const got: string[] = [];
  const ask = asker(pool, got);
  const a1 = await ask(share("slow", "slow1"));
  const a2 = await ask(share("slow", "slow2"));
  // The slow author asks three more times before the fast author asks once.
  const waits = [ask(share("slow", "slow3")), ask(share("slow", "slow4")), ask(share("fast"))];
  await settle();
  expect(got).toEqual(["slow1", "slow2"]);

  pool.release(a1);
  const fastSlot = await waits[2];
  expect(got.at(-1)).toBe("fast-s");
  expect(fastSlot).toBe(a1);
  // The next freed slot goes back to the slow author, first come first served among its runs.
  pool.release(a2);
  await waits[0];
  expect(got).toEqual(["slow1", "slow2", "fast-s", "slow3"]);
});

it("never gives an author a second slot while another author with none waits", async () => {
  const pool = new SlotPool(4);
  const got: string[] = [];
  const ask = asker(pool, got);
  const held = await Promise.all(["a1", "a2", "a3", "a4"].map((s) => ask(share("a", s))));
  const waits = [
    ...["a5", "a6", "a7"].map((s) => ask(share("a", s))),
    ask(share("b", "b1")),
    ask(share("b", "b2")),
    ask(share("c", "c1")),
  ];
  for (const slot of held) {
    pool.release(slot);
    await settle();
  }
  // Four slots freed as a's runs end: b and c first (they held none); once a is down to one slot like b,
  // the ties go to who asked first. a ends with 2 of 4 slots, b and c with 1 each, b2 still waits.
  expect(got.slice(4)).toEqual(["b1", "c1", "a5", "a6"]);
  // b1 ends: b holds none now, a still two, so b2 goes before a7 (who asked first).
  pool.release(await waits[3]);
  await waits[4];
  expect(got.at(-1)).toBe("b2");
});

it("between one author's strategies, the one holding fewer slots goes first", async () => {
  const pool = new SlotPool(2);
  const got: string[] = [];
  const ask = asker(pool, got);
  const first = await ask(share("a", "busy"), "busy-1");
  await ask(share("a", "busy"), "busy-2");
  const waits = [ask(share("a", "busy"), "busy-3"), ask(share("a", "quiet"), "quiet-1")];
  pool.release(first);
  await waits[1];
  expect(got).toEqual(["busy-1", "busy-2", "quiet-1"]);
});

it("run releases its slot when the work throws, and a release of a free slot is refused", async () => {
  const pool = new SlotPool(1);
  await expect(
    pool.run(share("a"), async () => {
      throw new Error("boom");
    }),
  ).rejects.toThrow("boom");
  const slot = await pool.acquire(share("b"));
  expect(slot).toBe(0);
  pool.release(slot);
  expect(() => pool.release(slot)).toThrow(/not held/);
  expect(() => new SlotPool(0)).toThrow(RangeError);
});
