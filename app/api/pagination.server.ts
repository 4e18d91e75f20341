// The API's list envelope over cursor pages (app/page-cursor.server.ts).
import { z } from "zod";
import type { PageKey } from "../../db/store/queries/keyset";
import { encodeCursor } from "../page-cursor.server";

/** The list envelope every paginated endpoint answers with. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export function toPageBody<T, U>(page: { items: T[]; next: PageKey | null }, map: (item: T) => U) {
  return { items: page.items.map(map), nextCursor: page.next ? encodeCursor(page.next) : null };
}
