// A multi-statement write as ONE libSQL batch in write mode (ADR 155): the statements travel in one request and
// the server runs them in one transaction, so the write lock is never held across a network round trip.
import type { InArgs, InStatement, ResultSet } from "@libsql/client";
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

const dialect = new SQLiteAsyncDialect();

/**
 * Aborts the batch, rolling back every statement before it, unless the statement just before it changed
 * exactly one row: the `if` of a transaction, inside the batch (the write_guard view's trigger, migration 0009).
 */
export const PREVIOUS_CHANGED_ONE_ROW: InStatement = "INSERT INTO write_guard (ok) SELECT changes() = 1";

/** Aborts the batch, rolling back every statement before it, unless `condition` (an SQL boolean) holds now. */
export const guard = (condition: SQL): SQL => sql`INSERT INTO write_guard (ok) SELECT ${condition}`;

/** Raw libSQL, a drizzle `sql` template, or a drizzle query builder. */
export type BatchStatement = SQLWrapper | InStatement;

const GUARD_MESSAGE = "candlecast write guard: condition not met";

function toStatement(query: BatchStatement): InStatement {
  if (typeof query === "string" || !("getSQL" in query)) return query;
  const { sql, params } = dialect.sqlToQuery(query.getSQL());
  return { sql, args: params as InArgs };
}

/**
 * Runs the statements all-or-nothing. Returns each statement's result, or null when a write guard aborted
 * the batch (nothing was written); any other failure rolls back and throws.
 */
export async function writeBatch(db: Db, statements: BatchStatement[]): Promise<ResultSet[] | null> {
  try {
    return await db.$client.batch(statements.map(toStatement), "write");
  } catch (error) {
    if (String((error as Error).message).includes(GUARD_MESSAGE)) return null;
    throw error;
  }
}
