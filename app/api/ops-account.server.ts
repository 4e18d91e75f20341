// API operations on the token's own account: who am I, and personal API tokens.
import { z } from "zod";
import { createApiToken, listApiTokens, revokeApiToken } from "../../db/store/queries/api-tokens";
import { apiTokenSchema } from "../../db/contracts/validation/api-token";
import { notFound } from "./errors.server";
import { defineOperation } from "./operation.server";
import { createdTokenSchema, meSchema, tokenSchema } from "./schemas.server";

export const accountOperations = [
  defineOperation({
    operationId: "getMe",
    method: "GET",
    path: "/me",
    tag: "Account",
    summary: "The user this token belongs to",
    responses: { 200: { description: "The user", schema: meSchema } },
    async handler({ user }) {
      return { body: { id: user.userId, name: user.name, email: user.email } };
    },
  }),
  defineOperation({
    operationId: "listTokens",
    method: "GET",
    path: "/tokens",
    tag: "Account",
    summary: "Your API tokens (never their secrets)",
    responses: {
      200: {
        description: "Every token, revoked ones included",
        schema: z.object({ items: z.array(tokenSchema) }),
      },
    },
    async handler({ context, user }) {
      return { body: { items: await listApiTokens(context.app.store.db, user.userId) } };
    },
  }),
  defineOperation({
    operationId: "createToken",
    method: "POST",
    path: "/tokens",
    tag: "Account",
    summary: "Create another API token (at most 10 live ones); its secret is in this answer only",
    body: apiTokenSchema,
    responses: { 201: { description: "The token with its secret", schema: createdTokenSchema } },
    errors: [409],
    async handler({ context, user, body }) {
      const created = await createApiToken(context.app.store.db, user.userId, body.name);
      return { status: 201, body: created };
    },
  }),
  defineOperation({
    operationId: "revokeToken",
    method: "DELETE",
    path: "/tokens/{id}",
    tag: "Account",
    summary: "Revoke an API token (it stops working at once; revoking twice is fine)",
    responses: {
      200: { description: "Revoked", schema: z.object({ id: z.string(), revoked: z.literal(true) }) },
    },
    async handler({ context, user, params }) {
      const result = await revokeApiToken(context.app.store.db, user.userId, params.id);
      if (!result) throw notFound("Token");
      return { body: { id: params.id, revoked: true } };
    },
  }),
];
