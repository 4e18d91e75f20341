// The configured mail transport: the log (default) or an SMTP server through nodemailer. Node only: the Deno
// entry uses createLogMailer alone (server/deno.ts).
import nodemailer from "nodemailer";
import type { MailConfig } from "./config.server";
import type { Logger } from "./logger.server";
import { createLogMailer, type Mailer } from "./mail";

/** Bounds on one SMTP conversation, so a stalled server fails a send instead of holding it. */
const SMTP_TIMEOUT_MS = 15_000;

export function createMailer(config: MailConfig, opts: { dataDir: string; logger: Logger }): Mailer {
  if (config.transport === "log") return createLogMailer({ ...opts, from: config.from });
  const transport = nodemailer.createTransport({
    url: config.url,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from: config.from, ...mail });
    },
    async close() {
      transport.close();
    },
  };
}
