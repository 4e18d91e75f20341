// The strategy search and filters the marketplace page and the API's listStrategies share.
import { inArray, sql, type SQL } from "drizzle-orm";
import { strategies, strategySymbols, strategyTags } from "../schema";

export interface StrategyFilters {
  /** Words in the name, the description or a tag. */
  q?: string;
  symbol?: string;
  resolution?: string;
  tag?: string;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function strategyFilterConditions(filters: StrategyFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.resolution) conditions.push(sql`${strategies.resolution} = ${filters.resolution}`);
  if (filters.symbol) {
    conditions.push(
      inArray(
        strategies.id,
        sql`(SELECT ${strategySymbols.strategyId} FROM ${strategySymbols} WHERE ${strategySymbols.symbol} = ${filters.symbol})`,
      ),
    );
  }
  if (filters.tag) {
    conditions.push(
      inArray(
        strategies.id,
        sql`(SELECT ${strategyTags.strategyId} FROM ${strategyTags} WHERE ${strategyTags.tag} = ${filters.tag})`,
      ),
    );
  }
  if (filters.q) {
    const pattern = likePattern(filters.q);
    conditions.push(sql`(${strategies.name} LIKE ${pattern} ESCAPE '\\'
      OR ${strategies.description} LIKE ${pattern} ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM ${strategyTags} WHERE ${strategyTags.strategyId} = ${strategies.id}
                 AND ${strategyTags.tag} LIKE ${pattern} ESCAPE '\\'))`);
  }
  return conditions;
}
