// Building blocks for the zod schemas: numbers from form strings, messages that name the field.
import { z } from "zod";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** A number field that accepts numbers (API) and numeric strings (forms), with messages naming the field. */
export function numberField(label: string, opts: { min: number; max: number; int?: boolean; unit?: string }) {
  const unit = opts.unit ?? "";
  let n = z.number({
    error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a number`),
  });
  if (opts.int) n = n.int(`${label} must be a whole number`);
  return z.preprocess(
    (v) => {
      const b = blankToUndefined(v);
      return typeof b === "string" ? Number(b.replace(/[,_\s%]/g, "")) : b;
    },
    n
      .min(opts.min, `${label} must be at least ${opts.min}${unit}`)
      .max(opts.max, `${label} must be at most ${opts.max}${unit}`),
  );
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Whether text holds a control character (Unicode Cc: U+0000-U+001F, U+007F-U+009F); multi-line text may
 * hold tabs and line breaks. The one rule for text entering through a form or the API: a NUL would be cut
 * off by the store or refused by the queue, the others only hide what a name or a key really says.
 */
export function hasControlChars(text: string, opts: { multiline?: boolean } = {}): boolean {
  return (opts.multiline ? CONTROL_CHARS_BUT_LINE_BREAKS : CONTROL_CHARS).test(text);
}

export function controlCharsMessage(label: string, opts: { multiline?: boolean } = {}): string {
  return `${label} must not contain control characters${opts.multiline ? " (tabs and line breaks are fine)" : ""}`;
}

/**
 * A string without control characters, checked on the raw input (before any trim): every text schema
 * starts from this. `required` is the message for a missing or non-string value.
 */
export function plainText(label: string, opts: { multiline?: boolean; required?: string } = {}) {
  return z
    .string({ error: opts.required ?? `${label} must be text` })
    .refine((v) => !hasControlChars(v, opts), controlCharsMessage(label, opts));
}

/** A required trimmed single-line string field. */
export function textField(label: string, opts: { min?: number; max: number }) {
  const min = opts.min ?? 1;
  return z.preprocess(
    blankToUndefined,
    plainText(label, { required: `${label} is required` })
      .trim()
      .min(min, min === 1 ? `${label} is required` : `${label} must be at least ${min} characters`)
      .max(opts.max, `${label} must be at most ${opts.max} characters`),
  );
}

/** A list given either as an array (API) or as a comma-separated string (forms). */
export function listField<T extends z.ZodType>(item: T, label: string, opts: { min: number; max: number }) {
  return z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(/[,\n]/)
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z
      .array(item, { error: `${label} must be a list` })
      .min(
        opts.min,
        opts.min === 1 ? `${label} needs at least one entry` : `${label} needs at least ${opts.min} entries`,
      )
      .max(opts.max, `${label} can have at most ${opts.max} entries`),
  );
}

/** Field errors keyed by dotted path (the first message per field), for forms and the API. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_form";
    out[key] ??= issue.message;
  }
  return out;
}

/** Parses a FormData (or plain object) with a schema: the typed value, or field errors. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: FormData | Record<string, unknown>,
): { ok: true; data: z.infer<T> } | { ok: false; errors: Record<string, string> } {
  const obj = input instanceof FormData ? Object.fromEntries(input) : input;
  const result = schema.safeParse(obj);
  return result.success ? { ok: true, data: result.data } : { ok: false, errors: fieldErrors(result.error) };
}
