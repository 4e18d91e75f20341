// API operations on strategies and their versions (author-scoped writes, public or own reads).
import { z } from "zod";
import {
  getAuthorStrategyView,
  getAuthorVersion,
  getVisibleStrategy,
  listAuthorStrategies,
  listPublicStrategiesPage,
  listVersions,
  setVersionStatus,
} from "../../db/store/queries/author";
import { createStrategy, publishVersion } from "../../db/store/queries/strategies";
import { updateStrategyMeta } from "../../db/store/queries/author";
import { strategyMetaSchema, strategyVersionSchema } from "../../db/contracts/validation/strategy";
import { plainText } from "../../db/contracts/validation/fields";
import { resolutionSchema, symbolSchema, type Resolution } from "../../db/contracts/domain";
import { versionStatusSchema } from "../../db/contracts/validation/version-status";
import type { AppLoadContext } from "@remix-run/node";
import { ApiError, notFound } from "./errors.server";
import { defineOperation } from "./operation.server";
import { pageQuerySchema } from "../page-cursor.server";
import { pageOf, toPageBody } from "./pagination.server";
import { parseOr422, patchObject } from "./parse.server";
import { strategySchema, versionSchema } from "./schemas.server";
import { announceStrategyChange } from "../strategy-changes.server";

type StrategyRow = NonNullable<Awaited<ReturnType<typeof getVisibleStrategy>>>;

const toStrategy = (s: StrategyRow, userId: string): z.infer<typeof strategySchema> => ({
  id: s.id,
  slug: s.slug,
  name: s.name,
  description: s.description,
  visibility: s.visibility,
  tags: s.tags,
  symbols: s.symbols,
  resolution: s.resolution as Resolution | null,
  latestVersionId: s.latestVersionId,
  latestVersion: s.latestVersion,
  subscriberCount: s.subscriberCount,
  returnPct: s.returnPct,
  tradesCount: s.tradesCount,
  mine: s.authorId === userId,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

/** The strategy for a change: 404 when the user cannot see it, 403 when they can but are not its author. */
async function requireAuthorStrategy(context: AppLoadContext, userId: string, idOrSlug: string) {
  const db = context.app.store.db;
  const own = await getAuthorStrategyView(db, userId, idOrSlug);
  if (own) return own;
  if (await getVisibleStrategy(db, userId, idOrSlug)) {
    throw new ApiError(403, "forbidden", "Only the strategy's author can change it");
  }
  throw notFound("Strategy");
}

export async function requireVisibleStrategy(context: AppLoadContext, userId: string, idOrSlug: string) {
  const found = await getVisibleStrategy(context.app.store.db, userId, idOrSlug);
  if (!found) throw notFound("Strategy");
  return found;
}

const listQuery = pageQuerySchema.extend({
  scope: z
    .enum(["mine", "public"], { error: "Scope must be mine or public" })
    .default("mine")
    .describe("mine: your strategies, drafts included; public: the marketplace"),
  q: plainText("q")
    .trim()
    .max(80, "q must be at most 80 characters")
    .optional()
    .describe("Words in the name, description or a tag"),
  symbol: symbolSchema.optional().describe("Only strategies trading this market, e.g. BTC/USDT"),
  resolution: resolutionSchema.optional(),
  tag: plainText("Tag").trim().toLowerCase().max(24, "Tag must be at most 24 characters").optional(),
});

export const strategyOperations = [
  defineOperation({
    operationId: "listStrategies",
    method: "GET",
    path: "/strategies",
    tag: "Strategies",
    summary:
      "List your strategies, or the public ones, newest first, filtered by q, symbol, resolution and tag",
    query: listQuery,
    responses: { 200: { description: "One page of strategies", schema: pageOf(strategySchema) } },
    async handler({ context, user, query }) {
      const page = { after: query.cursor, limit: query.limit };
      const db = context.app.store.db;
      const filters = {
        q: query.q || undefined,
        symbol: query.symbol,
        resolution: query.resolution,
        tag: query.tag,
      };
      const rows =
        query.scope === "mine"
          ? await listAuthorStrategies(db, user.userId, page, filters)
          : await listPublicStrategiesPage(db, page, filters);
      return { body: toPageBody(rows, (s) => toStrategy(s, user.userId)) };
    },
  }),
  defineOperation({
    operationId: "createStrategy",
    method: "POST",
    path: "/strategies",
    tag: "Strategies",
    summary: "Create a strategy (metadata; publish a version to make it runnable)",
    body: strategyMetaSchema,
    responses: { 201: { description: "The new strategy", schema: strategySchema, location: true } },
    errors: [409],
    async handler({ context, user, body }) {
      const { id } = await createStrategy(context.app.store.db, user.userId, body);
      const created = await getAuthorStrategyView(context.app.store.db, user.userId, id);
      return {
        status: 201,
        body: toStrategy(created!, user.userId),
        headers: { Location: `/api/v1/strategies/${id}` },
      };
    },
  }),
  defineOperation({
    operationId: "getStrategy",
    method: "GET",
    path: "/strategies/{id}",
    tag: "Strategies",
    summary: "Get a strategy by id or slug (yours, or a public one)",
    responses: { 200: { description: "The strategy", schema: strategySchema } },
    async handler({ context, user, params }) {
      return { body: toStrategy(await requireVisibleStrategy(context, user.userId, params.id), user.userId) };
    },
  }),
  defineOperation({
    operationId: "updateStrategy",
    method: "PATCH",
    path: "/strategies/{id}",
    tag: "Strategies",
    summary: "Update a strategy's metadata (the fields you send; the others keep their values)",
    body: strategyMetaSchema,
    partialBody: true,
    responses: { 200: { description: "The updated strategy", schema: strategySchema } },
    errors: [403, 409],
    async handler({ context, user, params, body }) {
      const current = await requireAuthorStrategy(context, user.userId, params.id);
      const patch = patchObject(body);
      const { name, slug, description, tags, visibility } = current;
      const meta = parseOr422(strategyMetaSchema, { name, slug, description, tags, visibility, ...patch });
      await updateStrategyMeta(context.app.store.db, user.userId, current.id, meta);
      const updated = await getAuthorStrategyView(context.app.store.db, user.userId, current.id);
      return { body: toStrategy(updated!, user.userId) };
    },
  }),
  defineOperation({
    operationId: "listVersions",
    method: "GET",
    path: "/strategies/{id}/versions",
    tag: "Versions",
    summary: "List a strategy's versions, newest first",
    responses: { 200: { description: "Every version", schema: z.object({ items: z.array(versionSchema) }) } },
    async handler({ context, user, params }) {
      const strategy = await requireVisibleStrategy(context, user.userId, params.id);
      return { body: { items: await listVersions(context.app.store.db, strategy.id) } };
    },
  }),
  defineOperation({
    operationId: "publishVersion",
    method: "POST",
    path: "/strategies/{id}/versions",
    tag: "Versions",
    summary: "Publish a new version (semver must increase); unpinned subscribers run it from the next candle",
    body: strategyVersionSchema,
    responses: { 201: { description: "The published version", schema: versionSchema, location: true } },
    errors: [403, 409],
    async handler({ context, user, params, body }) {
      const strategy = await requireAuthorStrategy(context, user.userId, params.id);
      const published = await publishVersion(context.app.store.db, user.userId, strategy.id, body);
      if (!published) throw notFound("Strategy");
      await announceStrategyChange(context, strategy.id);
      const version = await getAuthorVersion(context.app.store.db, user.userId, strategy.id, published.id);
      return {
        status: 201,
        body: version,
        headers: { Location: `/api/v1/strategies/${strategy.id}/versions/${published.id}` },
      };
    },
  }),
  defineOperation({
    operationId: "getVersion",
    method: "GET",
    path: "/strategies/{id}/versions/{versionId}",
    tag: "Versions",
    summary: "Get one version (with its code when you are the author)",
    responses: { 200: { description: "The version", schema: versionSchema } },
    async handler({ context, user, params }) {
      const strategy = await requireVisibleStrategy(context, user.userId, params.id);
      const db = context.app.store.db;
      if (strategy.authorId === user.userId) {
        const own = await getAuthorVersion(db, user.userId, strategy.id, params.versionId);
        if (!own) throw notFound("Version");
        return { body: own };
      }
      const version = (await listVersions(db, strategy.id)).find((v) => v.id === params.versionId);
      if (!version) throw notFound("Version");
      return { body: version };
    },
  }),
  defineOperation({
    operationId: "setVersionStatus",
    method: "PATCH",
    path: "/strategies/{id}/versions/{versionId}",
    tag: "Versions",
    summary: "Deprecate a version (pinned subscribers keep it; nobody new can pin it) or publish it again",
    body: versionStatusSchema,
    responses: { 200: { description: "The version", schema: versionSchema } },
    errors: [403, 409],
    async handler({ context, user, params, body }) {
      const strategy = await requireAuthorStrategy(context, user.userId, params.id);
      const updated = await setVersionStatus(
        context.app.store.db,
        user.userId,
        strategy.id,
        params.versionId,
        body.status,
      );
      if (!updated) throw notFound("Version");
      return { body: updated };
    },
  }),
];
