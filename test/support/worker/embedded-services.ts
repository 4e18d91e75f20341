// What an embedded worker runs on in tests: a fresh libSQL file, the in-process lock/cache/bus and pg-boss on PGlite.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInfra, type Infra } from "../../../db/infra/index.server";
import { createTestStore, type TestStore } from "../store";
import { createQueue, type Queue } from "../../../worker/queue";

export interface EmbeddedServices {
  store: TestStore;
  infra: Infra;
  queue: Queue;
  close(): Promise<void>;
}

export async function createEmbeddedServices(name: string): Promise<EmbeddedServices> {
  const dataDir = mkdtempSync(join(tmpdir(), `candlecast-${name}-`));
  const store = await createTestStore();
  const infra = await createInfra({ logger: { warn: () => {}, error: () => {} } });
  const queue = await createQueue({ dataDir });
  return {
    store,
    infra,
    queue,
    async close() {
      await queue.close();
      await infra.close();
      store.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
