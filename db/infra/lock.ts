// The distributed lock interface (work saver, not a fence) shared by the Redis and in-process implementations.

export type LockHandle = {
  readonly key: string;
  readonly token: string;
  /** True when we still held the lock and its TTL now runs ttlMs from now; false when it was lost. */
  extend(ttlMs: number): Promise<boolean>;
  /** True when our hold was deleted; false when the lock had already expired or passed to someone else. */
  release(): Promise<boolean>;
};

export type Lock = {
  /** Null when someone else holds the key. */
  acquire(key: string, ttlMs: number): Promise<LockHandle | null>;
};

/** The token-checked primitives an implementation provides; the handle is built on them once, here. */
export type TokenOps = {
  extend(key: string, token: string, ttlMs: number): Promise<boolean>;
  release(key: string, token: string): Promise<boolean>;
};

export function createLockHandle(key: string, token: string, ops: TokenOps): LockHandle {
  return {
    key,
    token,
    extend: (ttlMs) => ops.extend(key, token, ttlMs),
    release: () => ops.release(key, token),
  };
}

export function newLockToken(): string {
  return crypto.randomUUID();
}
