// The store's part of /healthz: a real write (a heartbeat upsert) with a short bound, so a store that answers
// `select 1` but takes no writes reports ok: false (ADR 156).
import type { Store } from "./client";
import { bounded } from "./call-timeout";

/** Well under a load balancer's usual health-check timeout. */
export const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/**
 * Where the store lives, safe to show on /healthz: the scheme for a file, the origin (no path, query or
 * credentials) for sqld / Turso.
 */
export function describeStore(databaseUrl: string): string {
  if (databaseUrl.startsWith("file:")) return "file store";
  try {
    const url = new URL(databaseUrl);
    return `libSQL server ${url.protocol}//${url.host}`;
  } catch {
    return `${databaseUrl.split(":")[0]} store`;
  }
}

/** Upserts this part's heartbeat row: ok with the probe's time, or not ok with why (the bound, the error). */
export async function probeStoreWrite(
  store: Store,
  opts: { part: "web" | "worker"; databaseUrl: string; timeoutMs?: number },
): Promise<{ ok: boolean; detail: string }> {
  const where = describeStore(opts.databaseUrl);
  const started = Date.now();
  const write = store.client.execute({
    sql: "INSERT INTO store_heartbeats (part, at) VALUES (?, ?) ON CONFLICT (part) DO UPDATE SET at = excluded.at",
    args: [opts.part, started],
  });
  try {
    await bounded(write, "health write probe", opts.timeoutMs ?? HEALTH_PROBE_TIMEOUT_MS);
    return { ok: true, detail: `${where} writable (write probe ${Date.now() - started} ms)` };
  } catch (error) {
    return { ok: false, detail: `${where}: write probe failed: ${(error as Error).message}` };
  }
}
