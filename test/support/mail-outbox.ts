// Reads what MAIL_URL=log wrote to the data directory's outbox, as a developer reads the code from it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAIL_OUTBOX_FILE, type OutboxLine } from "../../db/platform/mail";
import { codeIn } from "./smtp-sink";

export function outboxMails(dataDir: string): OutboxLine[] {
  let text: string;
  try {
    text = readFileSync(join(dataDir, MAIL_OUTBOX_FILE), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxLine);
}

/** The code of the newest mail to `to`, once it is there (polled: the app writes it in the background). */
export async function codeFromOutbox(dataDir: string, to: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = outboxMails(dataDir)
      .filter((m) => m.to === to)
      .at(-1);
    if (mail) return codeIn(mail);
    if (Date.now() > deadline) throw new Error(`no mail to ${to} in ${dataDir} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
