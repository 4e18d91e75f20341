// An author's change of a published version's status: deprecate it, or publish it again.
import { z } from "zod";

export const versionStatusSchema = z.object({
  status: z.enum(["published", "deprecated"], { error: "Status must be published or deprecated" }),
});
export type VersionStatusInput = z.output<typeof versionStatusSchema>;
