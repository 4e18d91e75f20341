// What the author pages show of a validation (browser-safe: the panel and the form reader share it).
import type { ValidationResult } from "../../db/contracts/jobs";

export type ValidationView =
  | { status: "done"; result: ValidationResult }
  | { status: "pending" }
  | { status: "unavailable"; message: string };
