// Cursor pages, for the API's lists and the pages that page alike: an opaque cursor over (time, id) and a bounded page size.
import { z } from "zod";
import type { PageKey } from "../db/store/queries/keyset";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

// btoa/atob rather than Buffer: the same module runs on Deno. Cursors are ASCII (numbers and UUIDs).
export function encodeCursor(key: PageKey): string {
  return btoa(JSON.stringify([key.t, key.id]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

const cursorKeySchema = z.tuple([z.number().int(), z.string().min(1).max(64)]);

function decodeCursor(cursor: string): PageKey | null {
  try {
    const parsed = cursorKeySchema.safeParse(JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))));
    return parsed.success ? { t: parsed.data[0], id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

/** `?cursor=&limit=`: the cursor is the `nextCursor` of the previous page. */
export const pageQuerySchema = z.object({
  cursor: z
    .string()
    .max(200)
    .optional()
    .describe("The nextCursor of the previous page")
    .transform((v, ctx) => {
      if (!v) return null;
      const key = decodeCursor(v);
      if (!key) {
        ctx.addIssue({ code: "custom", message: "Cursor is not one this API returned" });
        return z.NEVER;
      }
      return key;
    }),
  limit: z.coerce
    .number({ error: "Limit must be a number" })
    .int("Limit must be a whole number")
    .min(1, "Limit must be at least 1")
    .max(MAX_PAGE_SIZE, `Limit must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Items per page, 1 to ${MAX_PAGE_SIZE}`),
});
