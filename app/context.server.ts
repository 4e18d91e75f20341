// What every loader and action receives from the server entry (built by the composition root, never a singleton).
import type { Store } from "../db/client";
import type { Config } from "../db/config.server";
import type { Infra } from "../db/infra/index.server";

export interface HealthReport {
  ok: boolean;
  store: { ok: boolean; detail: string };
  queue: { ok: boolean; detail: string };
  bus: { ok: boolean; detail: string };
}

export interface AppContext {
  store: Store;
  infra: Infra;
  config: Config;
  health(): Promise<HealthReport>;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    app: AppContext;
  }
}
