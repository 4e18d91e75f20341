// The shutdown sequence every entry point shares: reverse order, a failing part does not stop the rest, one run per process.
import { createLifecycle } from "./lifecycle";

function harness() {
  const handlers = new Map<string, () => void>();
  const logged: string[] = [];
  const exits: number[] = [];
  const lifecycle = createLifecycle({
    logger: {
      info: (_obj, msg) => logged.push(msg),
      error: (obj, msg) => logged.push(`${msg} (${(obj as { part: string }).part})`),
    },
    onSignal: (signal, handler) => handlers.set(signal, handler),
    exit: (code) => exits.push(code),
  });
  return { lifecycle, handlers, logged, exits };
}

describe("lifecycle", () => {
  it("on a signal stops the parts last-started first, once however many signals come, then exits 0", async () => {
    const { lifecycle, handlers, exits } = harness();
    const stopped: string[] = [];
    let releaseQueue!: () => void;
    lifecycle.started("store", () => stopped.push("store"));
    lifecycle.started("queue", () =>
      new Promise<void>((r) => (releaseQueue = r)).then(() => stopped.push("queue")),
    );
    lifecycle.started("http", () => stopped.push("http"));
    expect([...handlers.keys()].sort()).toEqual(["SIGINT", "SIGTERM"]);
    handlers.get("SIGTERM")!();
    handlers.get("SIGINT")!();
    await vi.waitFor(() => expect(stopped).toEqual(["http"]));
    releaseQueue();
    await lifecycle.shutdown("again");
    expect(stopped).toEqual(["http", "queue", "store"]);
    expect(exits).toEqual([0]);
  });

  it("a part that fails to stop is logged by name, the rest still stop, and the exit code is 1", async () => {
    const { lifecycle, logged, exits } = harness();
    const stopped: string[] = [];
    lifecycle.started("store", () => stopped.push("store"));
    lifecycle.started("worker", () => Promise.reject(new Error("stuck")));
    await lifecycle.shutdown("test");
    expect(stopped).toEqual(["store"]);
    expect(logged).toContain("a part failed to stop; stopping the rest (worker)");
    expect(exits).toEqual([1]);
  });
});
