import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "turso",
  schema: "./db/store/schema.ts",
  out: "./db/store/migrations",
  dbCredentials: {
    url: process.env.DATABASE_URL ?? "file:./data/candlecast.db",
    authToken: process.env.DATABASE_AUTH_TOKEN,
  },
});
