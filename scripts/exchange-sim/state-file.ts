// --state FILE: the ledger read at start and written atomically (tmp + rename) shortly after each change.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { emptyLedger, type Ledger } from "./ledger";

/** Changes within this long are written together. */
const DEBOUNCE_MS = 50;

export function readLedger(file: string): Ledger {
  if (!existsSync(file)) return emptyLedger();
  const ledger = JSON.parse(readFileSync(file, "utf8")) as Ledger;
  if (!Array.isArray(ledger?.orders) || typeof ledger.accounts !== "object")
    throw new Error(`--state ${file} is not a simulator state file.`);
  return ledger;
}

export function createLedgerWriter(file: string, ledger: Ledger) {
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    writeFileSync(`${file}.tmp`, JSON.stringify(ledger));
    renameSync(`${file}.tmp`, file);
  };
  return {
    changed() {
      timer ??= setTimeout(flush, DEBOUNCE_MS);
    },
    /** Writes now if a change is pending (on SIGTERM, before exit). */
    flushPending() {
      if (timer !== undefined) flush();
    },
  };
}
