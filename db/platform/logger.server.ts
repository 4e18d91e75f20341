// Structured logs (pino, JSON lines on stdout) shared by the web app and the worker.
import pino, { type Logger } from "pino";

export type { Logger };

export function createLogger(opts: { level: string; name: string }): Logger {
  return pino({ name: opts.name, level: opts.level, base: { pid: process.pid, service: opts.name } });
}
