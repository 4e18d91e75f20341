// A fair counting semaphore that hands out numbered slots, so each concurrent run can get its own sandbox user.

/** Whose run asks for a slot: fairness is between authors first, then between one author's strategies. */
export interface Share {
  author: string;
  strategy: string;
}

/** Runs nobody claims (manifest reads, the CLI) share one anonymous author. */
export const ANONYMOUS_SHARE: Share = { author: "", strategy: "" };

interface Waiter {
  share: Share;
  resolve: (slot: number) => void;
}

/**
 * A free slot goes at once to whoever asks (work-conserving: a lone author may use every slot). A slot
 * that frees while runs wait goes to the waiting run whose author holds the fewest slots, then whose
 * strategy holds the fewest, then the one that asked first (docs/decisions/175). So while another
 * author waits, no author is given a slot while it holds more than that author does.
 */
export class SlotPool {
  private readonly free: number[];
  private readonly waiting: Waiter[] = [];
  private readonly holders = new Map<number, Share>();
  private readonly byAuthor = new Map<string, number>();
  private readonly byStrategy = new Map<string, number>();

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`maxConcurrent must be a positive integer, got ${size}`);
    this.free = Array.from({ length: size }, (_, i) => size - 1 - i);
  }

  async acquire(share: Share = ANONYMOUS_SHARE): Promise<number> {
    const slot = this.free.pop();
    if (slot !== undefined) return this.give(slot, share);
    return new Promise((resolve) => this.waiting.push({ share, resolve }));
  }

  release(slot: number): void {
    const share = this.holders.get(slot);
    if (!share) throw new Error(`slot ${slot} is not held`);
    this.holders.delete(slot);
    count(this.byAuthor, share.author, -1);
    count(this.byStrategy, share.strategy, -1);
    const next = this.nextWaiter();
    if (next < 0) {
      this.free.push(slot);
      return;
    }
    const [waiter] = this.waiting.splice(next, 1);
    waiter.resolve(this.give(slot, waiter.share));
  }

  async run<T>(share: Share, work: (slot: number) => Promise<T>): Promise<T> {
    const slot = await this.acquire(share);
    try {
      return await work(slot);
    } finally {
      this.release(slot);
    }
  }

  private give(slot: number, share: Share): number {
    this.holders.set(slot, share);
    count(this.byAuthor, share.author, 1);
    count(this.byStrategy, share.strategy, 1);
    return slot;
  }

  /** Index of the waiter to serve next; -1 when nobody waits. A linear scan: waiters are a few job loops. */
  private nextWaiter(): number {
    let best = -1;
    let bestAuthor = Infinity;
    let bestStrategy = Infinity;
    this.waiting.forEach(({ share }, i) => {
      const author = this.byAuthor.get(share.author) ?? 0;
      const strategy = this.byStrategy.get(share.strategy) ?? 0;
      if (author < bestAuthor || (author === bestAuthor && strategy < bestStrategy)) {
        best = i;
        bestAuthor = author;
        bestStrategy = strategy;
      }
    });
    return best;
  }
}

function count(counts: Map<string, number>, key: string, by: number) {
  const next = (counts.get(key) ?? 0) + by;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
