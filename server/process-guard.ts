// A fault that escapes every handler is logged; it must not take down the web app for all its users.
export function guardProcess(logger: { error(obj: object, msg: string): void }) {
  process.on("uncaughtException", (error) => logger.error({ err: error }, "uncaught exception"));
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
}
