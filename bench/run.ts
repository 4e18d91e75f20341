// `npm run bench -- NAME [flags]`: checks what bench/NAME.ts needs, runs it; it prints its figures and a final JSON line.
import { readdirSync } from "node:fs";
import { FlagError } from "./_args";
import { missingNeeds, type Need } from "./_needs";

interface BenchModule {
  default: (args: string[]) => Promise<void>;
  /** What the bench needs beyond `npm ci` (with these flags), checked before it starts. */
  needs: readonly Need[] | ((args: string[]) => readonly Need[]);
}

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(new URL(".", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.replace(/\.ts$/, ""));

if (!name || !available.includes(name)) {
  console.log(`usage: npm run bench -- NAME\navailable: ${available.join(", ")}`);
  process.exit(name ? 1 : 0);
}
const mod = (await import(`./${name}.ts`)) as BenchModule;
const missing = await missingNeeds(typeof mod.needs === "function" ? mod.needs(args) : mod.needs);
if (missing.length > 0) {
  console.log(`bench ${name} cannot run here:\n${missing.map((m) => `  ${m}`).join("\n")}`);
  process.exit(1);
}
try {
  await mod.default(args);
} catch (error) {
  if (!(error instanceof FlagError)) throw error;
  console.log(`bench ${name}: ${error.message}`);
  process.exit(1);
}
process.exit(0);
