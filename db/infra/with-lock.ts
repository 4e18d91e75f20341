// Runs work under a lock: keeps extending it while the work runs, aborts the work if it is lost, always releases.
import type { Lock, LockHandle } from "./lock";

export class LockLostError extends Error {
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`lock ${key} was lost while work was running`, options);
    this.name = "LockLostError";
  }
}

export type WithLockOutcome<T> = { acquired: false } | { acquired: true; lost: boolean; value: T };

export type WithLockOptions = {
  /** Default ttlMs / 3: two extends can fail to arrive before the lock lapses. */
  extendEveryMs?: number;
  /** A release that fails leaves the key to expire by its TTL; this hears about it. */
  onReleaseError?: (error: unknown) => void;
};

/**
 * { acquired: false } when someone else holds the key: skip the work. If fn throws, the lock is
 * released and the error rethrown. When the lock is lost the signal passed to fn aborts with a
 * LockLostError; fn decides how quickly to stop.
 */
export async function withLock<T>(
  lock: Lock,
  key: string,
  ttlMs: number,
  fn: (signal: AbortSignal) => Promise<T>,
  options: WithLockOptions = {},
): Promise<WithLockOutcome<T>> {
  const handle = await lock.acquire(key, ttlMs);
  if (!handle) return { acquired: false };

  const keeper = keepExtending(handle, ttlMs, options.extendEveryMs ?? Math.max(1, Math.floor(ttlMs / 3)));
  try {
    const value = await fn(keeper.signal);
    await keeper.stop();
    return { acquired: true, lost: keeper.signal.aborted, value };
  } finally {
    await keeper.stop();
    try {
      await handle.release();
    } catch (error) {
      options.onReleaseError?.(error);
    }
  }
}

function keepExtending(handle: LockHandle, ttlMs: number, everyMs: number) {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;

  const tick = async () => {
    try {
      if (!(await handle.extend(ttlMs))) controller.abort(new LockLostError(handle.key));
    } catch (error) {
      // We cannot prove we still hold it; the work is cheaper to redo than to run twice.
      controller.abort(new LockLostError(handle.key, { cause: error }));
    }
  };

  const schedule = () => {
    if (stopped || controller.signal.aborted) return;
    timer = setTimeout(() => {
      inFlight = tick().then(schedule);
    }, everyMs);
  };
  schedule();

  return {
    signal: controller.signal,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // Let an extend already on the wire finish so it cannot land after our release.
      await inFlight;
    },
  };
}
