// Strategy metadata and strategy versions as authors submit them (form, API, seed).
import { z } from "zod";
import { resolutionSchema, STRATEGY_VISIBILITIES, symbolSchema } from "../domain";
import { hasControlChars, controlCharsMessage, listField, numberField, plainText, textField } from "./fields";

export const slugSchema = plainText("Slug", { required: "Slug is required" })
  .trim()
  .toLowerCase()
  .min(3, "Slug must be at least 3 characters")
  .max(60, "Slug must be at most 60 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Slug may contain only a-z, 0-9 and single dashes");

const tagSchema = plainText("Tags")
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,23}$/, "Each tag is 1-24 characters of a-z, 0-9 and dashes");

export const strategyMetaSchema = z.object({
  name: textField("Name", { min: 3, max: 80 }),
  slug: slugSchema,
  description: plainText("Description", { multiline: true })
    .trim()
    .max(5000, "Description must be at most 5000 characters")
    .default(""),
  tags: listField(tagSchema, "Tags", { min: 0, max: 8 }).default([]),
  visibility: z.enum(STRATEGY_VISIBILITIES, { error: "Visibility must be draft or public" }).default("draft"),
});
export type StrategyMeta = z.output<typeof strategyMetaSchema>;

const SEMVER = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

export const semverSchema = plainText("Version", { required: "Version is required" })
  .trim()
  .regex(SEMVER, "Version must be semver like 1.2.3 (each part 0-999)");

/** major * 1e6 + minor * 1e3 + patch, so versions sort numerically. */
export function versionRank(version: string): number {
  const m = SEMVER.exec(version);
  if (!m) throw new Error(`not a version: ${version}`);
  return Number(m[1]) * 1_000_000 + Number(m[2]) * 1_000 + Number(m[3]);
}

/** The Strategy interfaces the Python host runs (python/candlecast_host/manifest.py refuses the others at validation). */
export const SUPPORTED_INTERFACE_VERSIONS = ["1"];
const INTERFACE_VERSION_LINE = /^[ \t]+INTERFACE_VERSION[ \t]*(?::[^=\n]*)?=[ \t]*([^\s#]+)/m;

/** The error for code declaring an INTERFACE_VERSION this host does not run; undefined when none or a supported one. */
function interfaceVersionProblem(code: string): string | undefined {
  const declared = INTERFACE_VERSION_LINE.exec(code)?.[1];
  if (declared === undefined || SUPPORTED_INTERFACE_VERSIONS.includes(declared)) return undefined;
  return `INTERFACE_VERSION ${declared} is not supported by this host (supported: ${SUPPORTED_INTERFACE_VERSIONS.join(", ")})`;
}

export const MAX_CODE_CHARS = 200_000;

/** `Strategy.lookback` of the SDK (python/candlecast/strategy.py): what a class that declares none inherits. */
export const SDK_DEFAULT_LOOKBACK = 100;
const STRATEGY_CLASS = /^class[ \t]+\w+[ \t]*\([^)]*\bStrategy\b[^)]*\)[ \t]*:[^\n]*\n/m;
const LOOKBACK_LINE = /^lookback[ \t]*(?::[^=\n]*)?=[ \t]*([^\n#]*?)[ \t]*(?:#.*)?$/;

/**
 * The lookback the code's Strategy class needs, read like INTERFACE_VERSION without running it: its
 * class-level `lookback = N`, or the SDK's default when it assigns none; null when it assigns something
 * other than a whole number (then only a validation run can tell) or has no Strategy class.
 */
export function neededLookback(code: string): { value: number; declared: boolean } | null {
  const head = STRATEGY_CLASS.exec(code);
  if (!head) return null;
  let indent: string | null = null;
  for (const line of code.slice(head.index + head[0].length).split("\n")) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const lead = /^[ \t]*/.exec(line)![0];
    indent ??= lead;
    if (lead.length < indent.length || indent === "") break;
    if (lead !== indent) continue;
    const value = LOOKBACK_LINE.exec(line.slice(lead.length))?.[1];
    if (value === undefined) continue;
    return /^\d+$/.test(value) ? { value: Number(value), declared: true } : null;
  }
  return { value: SDK_DEFAULT_LOOKBACK, declared: false };
}

function lookbackProblem(code: string, lookback: number): string | undefined {
  const needed = neededLookback(code);
  if (!needed || lookback >= needed.value) return undefined;
  const why = needed.declared
    ? `the strategy class declares lookback = ${needed.value}`
    : `the strategy class declares no lookback, so it inherits Strategy.lookback = ${needed.value}`;
  return `Lookback must be at least ${needed.value}: ${why} (a smaller window would hold every run as warm-up)`;
}

export const strategyVersionSchema = z
  .object({
    version: semverSchema,
    code: plainText("Code", { multiline: true, required: "Code is required" })
      .min(1, "Code is required")
      .max(MAX_CODE_CHARS, "Code must be at most 200,000 characters")
      .superRefine((code, ctx) => {
        const problem = interfaceVersionProblem(code);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    symbols: listField(symbolSchema, "Symbols", { min: 1, max: 10 }),
    resolution: resolutionSchema,
    lookback: numberField("Lookback", { min: 10, max: 5000, int: true }).meta({
      description: "Candles each run sees (the newest last), at least the strategy class's `lookback`",
    }),
    params: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
      .refine(
        (params) =>
          !Object.entries(params).some(
            ([k, v]) => hasControlChars(k) || (typeof v === "string" && hasControlChars(v)),
          ),
        controlCharsMessage("Params keys and values"),
      )
      .default({}),
    changelog: plainText("Changelog", { multiline: true })
      .trim()
      .max(5000, "Changelog must be at most 5000 characters")
      .default(""),
  })
  .superRefine((v, ctx) => {
    const problem = lookbackProblem(v.code, v.lookback);
    if (problem) ctx.addIssue({ code: "custom", path: ["lookback"], message: problem });
  });
export type StrategyVersionInput = z.output<typeof strategyVersionSchema>;
