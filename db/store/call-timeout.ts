// A bound on every store call (ADR 156): a stalled libSQL server gives a typed StoreTimeoutError, never a hang.
import type { Client, InStatement, Transaction } from "@libsql/client";
import { DEFAULT_STORE_TIMEOUT_MS } from "../platform/config.server";
import type { Logger } from "../platform/logger.server";
import { retryWhileBusy } from "./busy-retry";

export class StoreTimeoutError extends Error {
  constructor(
    /** What was waiting: the call and the start of its first statement. */
    readonly waiting: string,
    readonly timeoutMs: number,
  ) {
    super(`the store did not answer within ${timeoutMs} ms (${waiting})`);
    this.name = "StoreTimeoutError";
  }
}

export type OnStoreTimeout = (error: StoreTimeoutError) => void;
/** A batch met SQLITE_BUSY and is sent again after pauseMs (its `retry`th retry). */
export type OnStoreBusy = (retry: number, pauseMs: number) => void;

const SHOWN_SQL = 80;

function describe(call: string, stmts: InStatement | InStatement[] | undefined): string {
  const list = Array.isArray(stmts) ? stmts : stmts === undefined ? [] : [stmts];
  if (list.length === 0) return call;
  const first = typeof list[0] === "string" ? list[0] : list[0].sql;
  const text = first.replace(/\s+/g, " ").trim().slice(0, SHOWN_SQL);
  return list.length === 1 ? `${call}: ${text}` : `${call} of ${list.length} statements: ${text}`;
}

/**
 * Resolves as `work` does, or rejects with a StoreTimeoutError after `timeoutMs`. The call itself is not
 * cancelled (libSQL cannot): a timed-out write may still commit later, which every fenced write tolerates.
 */
export function bounded<T>(
  work: Promise<T>,
  waiting: string,
  timeoutMs: number,
  onTimeout?: OnStoreTimeout,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StoreTimeoutError(waiting, timeoutMs);
      onTimeout?.(error);
      reject(error);
    }, timeoutMs);
  });
  work.catch(() => {}); // a late failure of a call already timed out has no one to tell
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function boundTransaction(tx: Transaction, timeoutMs: number, onTimeout?: OnStoreTimeout): Transaction {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "execute" || prop === "batch" || prop === "executeMultiple") {
        return (stmts: never) =>
          bounded(value.call(target, stmts), describe(`transaction ${prop}`, stmts), timeoutMs, onTimeout);
      }
      if (prop === "commit" || prop === "rollback") {
        return () => bounded(value.call(target), `transaction ${prop}`, timeoutMs, onTimeout);
      }
      return value.bind(target);
    },
  });
}

/**
 * The client with every call bounded by `timeoutMs`: execute, batch, executeMultiple, and a transaction's
 * begin, statements, commit and rollback. Migrations are not: they run once at start and may be long.
 * A batch that meets SQLITE_BUSY is retried inside its bound (db/store/busy-retry.ts).
 */
export function withCallTimeouts(
  client: Client,
  timeoutMs: number,
  onTimeout?: OnStoreTimeout,
  onBusy?: OnStoreBusy,
): Client {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "execute" || prop === "executeMultiple") {
        return (stmt: never, args?: never) =>
          bounded(value.call(target, stmt, args), describe(prop, stmt), timeoutMs, onTimeout);
      }
      if (prop === "batch") {
        // A batch is one transaction: one that met SQLITE_BUSY did not run, so it is sent again within the same bound.
        return (stmts: InStatement[], mode?: never) =>
          bounded(
            retryWhileBusy(() => value.call(target, stmts, mode), timeoutMs, onBusy),
            describe(prop, stmts),
            timeoutMs,
            onTimeout,
          );
      }
      if (prop === "transaction") {
        return async (mode?: never) => {
          const begin: Promise<Transaction> = value.call(target, mode);
          try {
            return boundTransaction(
              await bounded(begin, "transaction begin", timeoutMs, onTimeout),
              timeoutMs,
              onTimeout,
            );
          } catch (error) {
            // A transaction that begins after its caller gave up would hold the write lock with no one to end it.
            if (error instanceof StoreTimeoutError)
              begin.then(
                (tx) => tx.close(),
                () => {},
              );
            throw error;
          }
        };
      }
      return value.bind(target);
    },
  });
}

/** The client every call of a process goes through: bounded, and logged with what was waiting when a bound is hit. */
export function boundedClient(client: Client, timeoutMs = DEFAULT_STORE_TIMEOUT_MS, logger?: Logger): Client {
  return withCallTimeouts(
    client,
    timeoutMs,
    (error) => logger?.warn({ waiting: error.waiting, timeoutMs }, "store call timed out"),
    (retry, pauseMs) => logger?.debug({ retry, pauseMs }, "store busy (SQLITE_BUSY): retrying the batch"),
  );
}
