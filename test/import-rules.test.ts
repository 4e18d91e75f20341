// The rooms' import rules (docs/architecture.md) are enforced by ESLint: a probe per rule must be refused.
import { ESLint } from "eslint";

const eslint = new ESLint();
async function restrictedImports(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

it.each([
  ["db/contracts/probe.ts", 'import { users } from "../store/schema";\nexport const x = users;\n'],
  ["db/contracts/probe.ts", 'import { readFileSync } from "node:fs";\nexport const x = readFileSync;\n'],
  [
    "app/components/probe.tsx",
    'import { openStore } from "../../db/store/client";\nexport const x = openStore;\n',
  ],
  [
    "app/components/probe.tsx",
    'import { requireUser } from "../session.server";\nexport const x = requireUser;\n',
  ],
  [
    "worker/probe.ts",
    'import { openEventStream } from "../app/event-stream.server";\nexport const x = openEventStream;\n',
  ],
  [
    "db/store/queries/probe.ts",
    'import { sizePosition } from "../../../worker/risk/size-position";\nexport const x = sizePosition;\n',
  ],
  [
    "worker/probe.ts",
    'import { createTestStore } from "../test/support/store";\nexport const x = createTestStore;\n',
  ],
  ["app/routes/probe.tsx", 'import { notFound } from "~/api/errors.server";\nexport const x = notFound;\n'],
])("refuses %s importing %j", async (file, code) => {
  expect(await restrictedImports(file, code)).toHaveLength(1);
});

it.each([
  [
    "app/components/probe.tsx",
    'import { RESOLUTIONS } from "../../db/contracts/domain";\nexport const x = RESOLUTIONS;\n',
  ],
  [
    "app/routes/probe.tsx",
    'import { openStore } from "../../db/store/client";\nexport const x = openStore;\n',
  ],
  ["db/contracts/probe.ts", 'import { z } from "zod";\nexport const x = z;\n'],
  [
    "app/routes/api.v1.probe.ts",
    'import { notFound } from "~/api/errors.server";\nexport const x = notFound;\n',
  ],
])("allows %s importing %j", async (file, code) => {
  expect(await restrictedImports(file, code)).toEqual([]);
});
