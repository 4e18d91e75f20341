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
        // Own assets dir: a Deno build must not replace the Node build's public/build (server/deno.ts serves it).
        assetsBuildDirectory: "build/deno/public/build",
        publicPath: "/build/",
        // The app is Node-flavoured (@remix-run/node, react-dom's renderToPipeableStream in entry.server.tsx): bundle it
        // for Deno's Node compatibility (node: built-ins stay imports), not with the "deno"/"worker" conditions, which
        // would pick react-dom's web-streams renderer that entry.server.tsx does not use.
        serverPlatform: "node",
        serverConditions: ["node"],
        serverMainFields: ["module", "main"],
        serverDependenciesToBundle: "all",
      }
    : {}),
};
