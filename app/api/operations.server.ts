// Every /api/v1 operation: the dispatcher routes by this list and the OpenAPI document is generated from it.
import { z } from "zod";
import { accountOperations } from "./ops-account.server";
import { authorJobOperations } from "./ops-author-jobs.server";
import { strategyOperations } from "./ops-strategies.server";
import { subscriptionOperations } from "./ops-subscriptions.server";
import { buildOpenApi, type OpenApiDocument } from "./openapi.server";
import { defineOperation, type Operation } from "./operation.server";

let document: OpenApiDocument | undefined;

const openApiOperation = defineOperation({
  operationId: "getOpenApi",
  method: "GET",
  path: "/openapi.json",
  tag: "Meta",
  summary: "This document",
  public: true,
  responses: { 200: { description: "The OpenAPI 3.1 document", schema: z.record(z.string(), z.unknown()) } },
  async handler() {
    return { body: openApiDocument(), headers: { "Cache-Control": "public, max-age=300" } };
  },
});

export const OPERATIONS: Operation[] = [
  ...accountOperations,
  ...strategyOperations,
  ...authorJobOperations,
  ...subscriptionOperations,
  openApiOperation,
];

export function openApiDocument(): OpenApiDocument {
  document ??= buildOpenApi(OPERATIONS);
  return document;
}
