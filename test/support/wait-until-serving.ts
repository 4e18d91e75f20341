// Waits for a child process's HTTP endpoint to answer 2xx; fails at once if the process exits first.
// A plain loop, not vi.waitFor: the benches start the app through it outside vitest.
export async function waitUntilServing(
  url: string,
  opts: { exited: () => boolean; timeoutMs: number; what: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.exited()) throw new Error(`${opts.what} exited before it was ready`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${opts.what} was not ready at ${url} within ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
