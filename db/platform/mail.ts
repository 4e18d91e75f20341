// Outgoing mail: one interface, and the log transport (MAIL_URL=log) that needs no server and runs on Node and
// Deno alike: each mail goes to the log and to `mail-outbox.jsonl` in the data directory (ADR 162).
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "./logger.server";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Resolves once the mail has left (written, or accepted by the SMTP server). */
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

export const MAIL_OUTBOX_FILE = "mail-outbox.jsonl";

/** One JSON line per mail: what a developer (and a browser test) reads the code from. */
export type OutboxLine = Mail & { from: string; sentAt: number };

export function createLogMailer(opts: { dataDir: string; from: string; logger: Logger }): Mailer {
  const file = join(opts.dataDir, MAIL_OUTBOX_FILE);
  return {
    async send(mail) {
      const line: OutboxLine = { ...mail, from: opts.from, sentAt: Date.now() };
      await appendFile(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      opts.logger.info({ mail: line, outbox: file }, `mail to ${mail.to}: ${mail.subject} (MAIL_URL=log)`);
    },
    async close() {},
  };
}
