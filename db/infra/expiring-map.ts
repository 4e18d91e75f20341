// A Map whose entries lapse at a deadline read from an injected clock; backs the in-process lock and cache.

const SWEEP_EVERY_WRITES = 256;

export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number | null }>();
  private writes = 0;

  constructor(private readonly now: () => number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.isExpired(entry.expiresAt)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** ttlMs undefined: the entry never lapses. */
  set(key: string, value: V, ttlMs?: number): void {
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? null : this.now() + ttlMs });
    // Keys such as execution:{...}:{closeTime} are never touched again once they lapse, so they are swept.
    if (++this.writes % SWEEP_EVERY_WRITES === 0) this.sweep();
  }

  /** A new value for a live entry, keeping its deadline; false when there is none. */
  replace(key: string, value: V): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.isExpired(entry.expiresAt)) return false;
    entry.value = value;
    return true;
  }

  delete(key: string): boolean {
    const live = this.get(key) !== undefined;
    this.entries.delete(key);
    return live;
  }

  private isExpired(expiresAt: number | null): boolean {
    return expiresAt !== null && expiresAt <= this.now();
  }

  private sweep(): void {
    for (const [key, entry] of this.entries) {
      if (this.isExpired(entry.expiresAt)) this.entries.delete(key);
    }
  }
}
