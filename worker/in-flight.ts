// The handlers running now, so a stopping worker can wait for them, up to a limit.
export function createInFlight() {
  const running = new Set<Promise<unknown>>();
  return {
    get size() {
      return running.size;
    },
    track<T>(promise: Promise<T>): Promise<T> {
      running.add(promise);
      // The caller awaits the promise and sees its failure; this copy only keeps the count.
      promise.then(
        () => running.delete(promise),
        () => running.delete(promise),
      );
      return promise;
    },
    /** True when every handler settled within timeoutMs; false when some were still running. */
    async settle(timeoutMs: number): Promise<boolean> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = await Promise.race([
        Promise.allSettled([...running]).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      return settled;
    },
  };
}
