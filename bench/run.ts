// `npm run bench -- NAME [args]`: runs bench/NAME.ts, which prints its figures and a final one-line JSON object.
import { readdirSync } from "node:fs";

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(new URL(".", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.replace(/\.ts$/, ""));

if (!name || !available.includes(name)) {
  console.log(`usage: npm run bench -- NAME\navailable: ${available.join(", ")}`);
  process.exit(name ? 1 : 0);
}
const mod = (await import(`./${name}.ts`)) as { default: (args: string[]) => Promise<void> };
await mod.default(args);
process.exit(0);
