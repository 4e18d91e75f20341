// Reading the author pages' forms: strategy metadata and a version (code typed in or uploaded as a .py file), with field errors.
import type { AppLoadContext } from "@remix-run/node";
import type { ValidationView } from "./validation-view";
import { echoedText } from "../form-echo";
import { validateRequestSchema } from "../../db/contracts/jobs";
import { fieldErrors, parseInput } from "../../db/contracts/validation/fields";
import {
  MAX_CODE_CHARS,
  strategyMetaSchema,
  strategyVersionSchema,
} from "../../db/contracts/validation/strategy";
import { awaitValidation, JobsUnavailableError, requestValidation } from "./author-jobs.server";

type Parsed<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** The code: an uploaded .py file wins over the textarea (a browser without JavaScript sends both). */
export async function codeOf(form: FormData): Promise<string> {
  const file = form.get("codeFile");
  if (file && typeof file !== "string" && file.size > 0) return (await file.text()).replace(/\r\n/g, "\n");
  return text(form, "code").replace(/\r\n/g, "\n");
}

/** Params as a JSON object typed into a text field; blank is {}. */
function paramsOf(form: FormData): { ok: true; value: unknown } | { ok: false; error: string } {
  const raw = text(form, "params").trim();
  if (!raw) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, error: 'Params must be a JSON object like {"fast": 10}' };
  }
}

export function parseMetaForm(form: FormData): Parsed<ReturnType<typeof strategyMetaSchema.parse>> {
  return parseInput(strategyMetaSchema, {
    name: text(form, "name"),
    slug: text(form, "slug"),
    description: text(form, "description"),
    tags: text(form, "tags"),
    visibility: text(form, "visibility") || undefined,
  });
}

export async function parseVersionForm(
  form: FormData,
): Promise<Parsed<ReturnType<typeof strategyVersionSchema.parse>>> {
  const params = paramsOf(form);
  const parsed = parseInput(strategyVersionSchema, {
    version: text(form, "version"),
    code: await codeOf(form),
    symbols: text(form, "symbols"),
    resolution: text(form, "resolution"),
    lookback: text(form, "lookback"),
    params: params.ok ? params.value : {},
    changelog: text(form, "changelog"),
  });
  if (!params.ok) return { ok: false, errors: { ...(parsed.ok ? {} : parsed.errors), params: params.error } };
  return parsed;
}

/** What to validate from a version form: the code, its params and the first market when it is valid. */
export async function validationInputOf(form: FormData) {
  const params = paramsOf(form);
  const symbol = text(form, "symbols").split(/[,\n]/)[0]?.trim().toUpperCase();
  return {
    code: await codeOf(form),
    params: params.ok ? params.value : {},
    symbol: symbol || undefined,
    resolution: text(form, "resolution") || undefined,
  };
}

/** A description or changelog at its maximum: no other field is longer. */
const LONGEST_TEXT_FIELD = 5000;

/** The form's values to show again after a refused submission (the code included, so nothing typed is lost). */
export async function echoValues(form: FormData) {
  const names = [
    "name",
    "slug",
    "description",
    "tags",
    "visibility",
    "version",
    "symbols",
    "resolution",
    "lookback",
    "params",
    "changelog",
  ];
  const code = (await codeOf(form)).slice(0, MAX_CODE_CHARS);
  return {
    ...Object.fromEntries(names.map((n) => [n, echoedText(form, n, LONGEST_TEXT_FIELD)])),
    code,
  } as Record<string, string>;
}

/**
 * The Validate button: queue the validation and wait a few seconds for its result, so the page shows it
 * without JavaScript; a slower one comes back as pending and the page polls for it.
 */
export async function validateFromForm(
  context: AppLoadContext,
  userId: string,
  form: FormData,
): Promise<{ view: ValidationView | null; requestId: string | null; errors: Record<string, string> }> {
  const input = await validationInputOf(form);
  // A market that does not parse only loses the market: the sample candles are used instead.
  let parsed = validateRequestSchema.safeParse(input);
  if (!parsed.success) parsed = validateRequestSchema.safeParse({ code: input.code, params: input.params });
  if (!parsed.success) {
    return { view: null, requestId: null, errors: fieldErrors(parsed.error) };
  }
  const request = parsed;
  try {
    const { requestId } = await requestValidation(context, userId, request.data);
    const state = await awaitValidation(context, userId, requestId, VALIDATE_WAIT_MS);
    return { view: state ?? { status: "pending" }, requestId, errors: {} };
  } catch (error) {
    if (error instanceof JobsUnavailableError)
      return { view: { status: "unavailable", message: error.message }, requestId: null, errors: {} };
    throw error;
  }
}

const VALIDATE_WAIT_MS = 5_000;
