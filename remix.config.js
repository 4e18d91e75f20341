/** Remix classic compiler. `REMIX_TARGET=deno` builds the same app for Deno (see server/deno.ts). */
const deno = process.env.REMIX_TARGET === "deno";

/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  serverModuleFormat: "esm",
  tailwind: true,
  postcss: true,
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
  },
  ...(deno
    ? {
        serverBuildPath: "build/deno/index.js",
        serverPlatform: "neutral",
        serverConditions: ["deno", "worker"],
        serverMainFields: ["module", "main"],
        serverDependenciesToBundle: "all",
      }
    : {}),
};
