// Opens the libSQL store (a local file, or sqld / Turso over http/ws) as a Drizzle database.
import { createClient, type Client, type InStatement, type TransactionMode } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";
import { boundedClient } from "./call-timeout";
import type { Config } from "../platform/config.server";
import type { Logger } from "../platform/logger.server";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface Store {
  db: Db;
  client: Client;
  close(): void;
}

/** A FIFO async mutex: one holder at a time, in arrival order. */
function createMutex() {
  let tail = Promise.resolve();
  return async function lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const previous = tail;
    tail = tail.then(() => next);
    await previous;
    return release;
  };
}

const isRead = (stmt: InStatement) =>
  /^\s*(select|with\b(?![\s\S]*\b(insert|update|delete)\b))/i.test(
    typeof stmt === "string" ? stmt : stmt.sql,
  );

/**
 * A local-file client whose writes are serialised inside this process. libSQL's file driver is
 * synchronous: a second connection of the same process that meets a write lock busy-waits on the
 * event-loop thread, so the transaction holding the lock could never commit. Reads are not
 * serialised (WAL lets them run beside a writer); other processes wait on the busy timeout.
 */
function serialiseWrites(client: Client): Client {
  const lock = createMutex();
  // WAL with synchronous=NORMAL: a commit survives a killed process (the WAL is in the OS cache) but
  // not an OS crash or power loss; FULL would fsync on every commit (~4 ms here) ON the event-loop
  // thread, which is where this driver runs. The setting is per connection and may not change inside
  // a transaction, so it is set just before each write, on the pooled connection the write then takes.
  const relaxSync = () => client.execute("PRAGMA synchronous = NORMAL");
  const locked = async <T>(fn: () => Promise<T>) => {
    const release = await lock();
    try {
      await relaxSync();
      return await fn();
    } finally {
      release();
    }
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "execute") {
        return (stmt: InStatement, args?: never) =>
          isRead(stmt)
            ? target.execute(stmt as never, args)
            : locked(() => target.execute(stmt as never, args));
      }
      if (prop === "batch") {
        return (stmts: InStatement[], mode?: TransactionMode) =>
          mode === "read" ? target.batch(stmts, mode) : locked(() => target.batch(stmts, mode));
      }
      if (prop === "transaction") {
        return async (mode?: TransactionMode) => {
          if (mode === "read") return target.transaction(mode);
          const release = await lock();
          try {
            await relaxSync();
            const tx = await target.transaction(mode);
            const settle = (done: () => Promise<void>) => async () => {
              try {
                await done();
              } finally {
                release();
              }
            };
            const [commit, rollback, close] = [tx.commit.bind(tx), tx.rollback.bind(tx), tx.close.bind(tx)];
            return Object.assign(tx, {
              commit: settle(commit),
              rollback: settle(rollback),
              close: () => {
                close();
                release();
              },
            });
          } catch (error) {
            release();
            throw error;
          }
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export interface StoreOptions {
  url: string;
  authToken?: string;
  /** Bound on every call, ms (ADR 156); default STORE_TIMEOUT_MS's. */
  timeoutMs?: number;
  /** Where a timed-out call is logged, with what was waiting. */
  logger?: Logger;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const isFile = opts.url.startsWith("file:");
  const raw = createClient({ url: opts.url, authToken: opts.authToken, timeout: 15_000 });
  if (isFile) {
    // WAL lets readers (the web app) run while the worker writes; persistent, so set once per file.
    await raw.execute("PRAGMA journal_mode = WAL");
  }
  const client = boundedClient(isFile ? serialiseWrites(raw) : raw, opts.timeoutMs, opts.logger);
  const db = drizzle(client, { schema });
  return { db, client, close: () => raw.close() };
}

/** openStore for a process entry point: the configured store, its bound, and the process logger. */
export function openConfiguredStore(config: Config, logger?: Logger): Promise<Store> {
  return openStore({
    url: config.databaseUrl,
    authToken: config.databaseAuthToken,
    timeoutMs: config.storeTimeoutMs,
    logger,
  });
}
