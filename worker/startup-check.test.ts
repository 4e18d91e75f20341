// A worker whose sandbox cannot run refuses to start (fail closed) instead of failing every execution it takes.
import pino from "pino";
import { startWorker } from "./main";
import { createStrategyRunner, SandboxUnavailableError } from "./runtime";
import { testWorkerConfig } from "../test/support/worker/config";
import { createEmbeddedServices, type EmbeddedServices } from "../test/support/worker/embedded-services";

let services: EmbeddedServices;
beforeAll(async () => {
  services = await createEmbeddedServices("startup-check");
});
afterAll(() => services?.close());

const start = (runner: ReturnType<typeof createStrategyRunner>, work: boolean) =>
  startWorker({
    config: testWorkerConfig(services.store.url),
    store: services.store,
    infra: services.infra,
    queue: services.queue,
    logger: pino({ level: "silent" }),
    runner,
    options: { work, scheduler: false, periodic: false, catchUpOnStart: false },
  });

it("refuses to take jobs when its sandbox cannot start", async () => {
  await expect(start(createStrategyRunner({ bwrap: "/bin/false" }), true)).rejects.toThrow(
    SandboxUnavailableError,
  );
});

it("a process that takes no jobs (a scheduler only) does not need the sandbox", async () => {
  const worker = await start(createStrategyRunner({ bwrap: "/bin/false" }), false);
  expect((await worker.health()).ok).toBe(true);
  await worker.stop();
});
