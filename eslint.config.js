import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const NO_TEST_HELPERS = { group: ["**/test/**"], message: "Production code must not import test helpers." };
const CONTRACTS_ONLY = {
  group: [
    "node:*",
    "**/store/**",
    "**/infra/**",
    "**/platform/**",
    "**/app/**",
    "**/worker/**",
    "**/server/**",
  ],
  message: "db/contracts is pure and browser-safe: import only packages and other db/contracts modules.",
};
const NOT_APP_SERVER = {
  group: ["**/app/**", "**/server/**", "~/*"],
  message: "The worker does not import the web app.",
};
const NOT_APP_SERVER_WORKER = {
  group: ["**/app/**", "**/server/**", "**/worker/**", "~/*"],
  message: "db/ is shared by the web app and the worker and imports neither.",
};
const NOT_API = {
  group: ["~/api/*", "../api/*", "**/app/api/**"],
  message: "HTML routes call app/services (one use case each); only the api.v1.* routes reach app/api.",
};
const BROWSER_SAFE = {
  group: [
    "node:*",
    "**/db/store/**",
    "**/db/infra/**",
    "**/db/platform/**",
    "**/worker/**",
    "**/server/**",
    "**/*.server",
    "**/*.server.ts",
  ],
  message: "Browser code may import from db/ only db/contracts, and never a *.server module.",
};

export default tseslint.config(
  { ignores: ["node_modules", "build", "public/build", "data", ".cache", "python", "screenshots"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  // The rooms' import rules (docs/architecture.md). A later block replaces an earlier one's patterns
  // for the same files, so each block repeats the rule that production code never imports test/.
  {
    files: ["{app,db,worker,server,scripts}/**/*.{ts,tsx}"],
    ignores: ["**/*.test.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_HELPERS] }] },
  },
  {
    // db/ is shared by the web app and the worker: it depends on neither.
    files: ["db/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_HELPERS, NOT_APP_SERVER_WORKER] }] },
  },
  {
    // The worker never reaches into the web app.
    files: ["worker/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_HELPERS, NOT_APP_SERVER] }] },
  },
  {
    // db/contracts is the browser-safe kernel: pure modules that import only packages and each other.
    files: ["db/contracts/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_HELPERS, CONTRACTS_ONLY] }] },
  },
  {
    // The pages share use cases with the REST API through app/services, never by importing app/api.
    files: ["app/routes/**/*.{ts,tsx}"],
    ignores: ["**/*.test.{ts,tsx}", "app/routes/api.v1.*", "app/routes/api-docs.tsx"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_HELPERS, NOT_API] }] },
  },
  {
    // What the browser bundles: components and the client entry reach db/ only through db/contracts.
    files: ["app/components/**/*.{ts,tsx}", "app/entry.client.tsx"],
    ignores: ["**/*.test.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [NO_TEST_HELPERS, BROWSER_SAFE] }] },
  },
);
