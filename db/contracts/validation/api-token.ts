// A personal API token as its owner names it (settings page and API).
import { z } from "zod";
import { textField } from "./fields";

export const apiTokenSchema = z.object({ name: textField("Name", { max: 60 }) });
export type ApiTokenInput = z.output<typeof apiTokenSchema>;
