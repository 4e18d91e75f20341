// Marketplace reads for the web app.
import { desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { strategies } from "../db/schema";

export async function listPublicStrategies(db: Db) {
  return db
    .select({
      id: strategies.id,
      slug: strategies.slug,
      name: strategies.name,
      description: strategies.description,
      symbols: strategies.symbols,
      resolution: strategies.resolution,
      subscriberCount: strategies.subscriberCount,
    })
    .from(strategies)
    .where(eq(strategies.visibility, "public"))
    .orderBy(desc(strategies.subscriberCount))
    .limit(24);
}
