// At start, waits for a dependency (the store, Redis, Postgres) that is not up yet: retries with backoff and
// logs one line per attempt naming it, instead of exiting and leaving recovery to a process manager.

export interface WaitLogger {
  warn(context: Record<string, unknown>, message: string): void;
  info(context: Record<string, unknown>, message: string): void;
}

export interface WaitOptions {
  logger: WaitLogger;
  /** The first pause; each next one doubles, up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** An error no wait will mend (a refused configuration): thrown at once. */
  fatal?: (error: unknown) => boolean;
}

/**
 * The root cause's message ("connect ECONNREFUSED 127.0.0.1:8080"): the wrappers above it (a failed query's
 * SQL, "fetch failed", "cannot connect to Redis") say less than the line's dependency name already does.
 */
function reason(error: unknown): string {
  let e = error;
  for (let depth = 0; depth < 10; depth++) {
    if (e instanceof AggregateError && e.errors.length > 0 && !e.message) e = e.errors[0];
    else if (e instanceof Error && e.cause !== undefined) e = e.cause;
    else break;
  }
  return e instanceof Error ? e.message || e.name : String(e);
}

export async function waitForDependency<T>(
  name: string,
  connect: () => Promise<T>,
  options: WaitOptions,
): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  let delayMs = options.firstDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await connect();
      if (attempt > 1) options.logger.info({ dependency: name, attempts: attempt }, `${name} is reachable`);
      return value;
    } catch (error) {
      if (options.fatal?.(error)) throw error;
      options.logger.warn(
        { dependency: name, attempt, retryInMs: delayMs, error: reason(error) },
        `waiting for ${name}: ${reason(error)}; retrying in ${(delayMs / 1000).toFixed(1)} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    }
  }
}
