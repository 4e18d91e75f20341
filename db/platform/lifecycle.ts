// One shutdown sequence for every entry point: on the first SIGINT or SIGTERM the parts stop in the
// reverse order they started, a part that fails to stop is logged and the rest still stop, then the
// process exits (1 if a part failed). Runtime-neutral: Node and Deno pass their signal and exit calls.

export interface LifecycleDeps {
  logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  onSignal(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  exit(code: number): void;
}

export interface Lifecycle {
  /** A part that started: `stop` runs at shutdown, before the parts started earlier. */
  started(name: string, stop: () => unknown): void;
  /** Stops every part once (a second call waits for the first), then exits. */
  shutdown(reason: string): Promise<void>;
}

export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const parts: { name: string; stop: () => unknown }[] = [];
  let stopping: Promise<void> | undefined;

  async function stopAll(reason: string) {
    deps.logger.info({ reason }, "shutting down");
    let code = 0;
    for (const part of parts.reverse()) {
      try {
        await part.stop();
      } catch (error) {
        deps.logger.error({ err: error, part: part.name }, "a part failed to stop; stopping the rest");
        code = 1;
      }
    }
    deps.exit(code);
  }

  const lifecycle: Lifecycle = {
    started(name, stop) {
      parts.push({ name, stop });
    },
    shutdown(reason) {
      stopping ??= stopAll(reason);
      return stopping;
    },
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    deps.onSignal(signal, () => void lifecycle.shutdown(signal));
  }
  return lifecycle;
}

/** Node's signals and exit, for createLifecycle. */
export const nodeProcess: Pick<LifecycleDeps, "onSignal" | "exit"> = {
  onSignal: (signal, handler) => process.on(signal, handler),
  exit: (code) => process.exit(code),
};
