// Turns what the runner process did (its JSON answer, or how it died) into a typed result; the answer passes zod first.
import { z } from "zod";
import { RUNTIME_ERROR_KINDS, signalSchema, type RunErrorKind, type Signal } from "../../db/contracts/domain";
import type { ProcessOutcome } from "./process-outcome";

export interface RuntimeError {
  kind: RunErrorKind;
  message: string;
  traceback: string;
  logs: string[];
}

export type Failure = { ok: false; error: RuntimeError };

const logsSchema = z.array(z.string()).max(10_000);
const errorAnswerSchema = z.object({
  ok: z.literal(false),
  error: z.object({
    kind: z.enum(RUNTIME_ERROR_KINDS),
    message: z.string(),
    traceback: z.string().default(""),
  }),
  logs: logsSchema.default([]),
});

export const liveAnswerSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), signal: signalSchema, logs: logsSchema }),
  errorAnswerSchema,
]);

export const backtestAnswerSchema = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    signals: z.object({ table: z.array(signalSchema), index: z.array(z.number().int().nonnegative()) }),
    logs: logsSchema,
  }),
  errorAnswerSchema,
]);

const manifestParamSchema = z.object({
  type: z.enum(["int", "float", "bool"]),
  default: z.union([z.number(), z.boolean()]).nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  description: z.string(),
});

export const manifestSchema = z.object({
  className: z.string(),
  description: z.string(),
  docstring: z.string(),
  name: z.string(),
  resolution: z.string().nullable(),
  lookback: z.number().int().nullable(),
  symbols: z.array(z.string()),
  tags: z.array(z.string()),
  interfaceVersion: z.number().int(),
  params: z.record(z.string(), manifestParamSchema),
});
export type StrategyManifest = z.infer<typeof manifestSchema>;

export const manifestAnswerSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), manifest: manifestSchema }),
  errorAnswerSchema,
]);

export function failure(kind: RunErrorKind, message: string, logs: string[] = [], traceback = ""): Failure {
  return { ok: false, error: { kind, message, traceback, logs } };
}

const SIGNAL_NUMBERS: Record<number, NodeJS.Signals> = {
  6: "SIGABRT",
  7: "SIGBUS",
  9: "SIGKILL",
  11: "SIGSEGV",
  24: "SIGXCPU",
  25: "SIGXFSZ",
};

/** bubblewrap reports a child killed by signal N as exit status 128 + N. */
function deathSignal(outcome: ProcessOutcome): NodeJS.Signals | null {
  if (outcome.signal) return outcome.signal;
  if (outcome.exitCode !== null && outcome.exitCode > 128)
    return SIGNAL_NUMBERS[outcome.exitCode - 128] ?? null;
  return null;
}

/** Why the process ended without a usable answer, as a typed error (limits first: they explain everything else). */
export function outcomeFailure(
  outcome: ProcessOutcome,
  timeoutMs: number,
  maxAnswerBytes: number,
): Failure | null {
  if (outcome.timedOut)
    return failure("timeout", `the strategy did not finish within ${timeoutMs} ms and was killed`);
  if (outcome.answerTooLarge)
    return failure("output_limit", `the runner's answer exceeded ${maxAnswerBytes} bytes`);
  const signal = deathSignal(outcome);
  if (signal === "SIGXCPU" || signal === "SIGKILL")
    return failure("timeout", "the strategy exceeded its CPU time limit and was killed");
  if (signal === "SIGSEGV" || signal === "SIGBUS") {
    return failure(
      "memory",
      `the interpreter crashed (${signal}), usually a stack overflow from deep recursion`,
    );
  }
  if (signal) return failure("runtime", `the interpreter was killed by ${signal}`);
  if (/^bwrap:/m.test(outcome.stderr))
    return failure("sandbox", `the sandbox failed to start: ${outcome.stderr.trim().slice(0, 500)}`);
  return null;
}

/** Parse and check the runner's JSON answer; anything malformed (a strategy can write to the real stdout) is a runtime error. */
export function parseAnswer<S extends z.ZodType>(
  schema: S,
  outcome: ProcessOutcome,
  limits: { timeoutMs: number; maxAnswerBytes: number },
): Extract<z.infer<S>, { ok: true }> | Failure {
  const died = outcomeFailure(outcome, limits.timeoutMs, limits.maxAnswerBytes);
  if (died) return died;
  if (outcome.stdout.length === 0) {
    const detail = outcome.stderr.trim() ? `: ${outcome.stderr.trim().slice(-500)}` : "";
    return failure(
      "runtime",
      `the strategy ended the process (exit code ${outcome.exitCode}) before returning an answer${detail}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(outcome.stdout.toString("utf8"));
  } catch {
    return failure(
      "runtime",
      "the runner's answer is not valid JSON (did the strategy write to the real stdout?)",
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return failure(
      "runtime",
      `the runner's answer has an unexpected shape: ${z.prettifyError(parsed.error).slice(0, 500)}`,
    );
  }
  const answer = parsed.data as { ok: boolean; logs?: string[]; error?: Omit<RuntimeError, "logs"> };
  if (!answer.ok && answer.error)
    return failure(answer.error.kind, answer.error.message, answer.logs ?? [], answer.error.traceback);
  return parsed.data as Extract<z.infer<S>, { ok: true }>;
}

/** Expand the runner's table-and-index encoding to one Signal per bar. */
export function expandSignals(
  encoded: { table: Signal[]; index: number[] },
  bars: number,
): Signal[] | Failure {
  if (encoded.index.length !== bars)
    return failure("bad_signal", `expected ${bars} signals, got ${encoded.index.length}`);
  const out = new Array<Signal>(bars);
  for (let i = 0; i < bars; i++) {
    const sig = encoded.table[encoded.index[i]];
    if (!sig) return failure("runtime", `the runner's answer refers to a missing signal at bar ${i}`);
    out[i] = { ...sig };
  }
  return out;
}
