// The logging surface infra needs; pino's (context, message) order, so a pino logger can be passed in as is.

export type InfraLogger = {
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
};

export function consoleLogger(): InfraLogger {
  return {
    warn: (context, message) => console.warn(message, context),
    error: (context, message) => console.error(message, context),
  };
}
