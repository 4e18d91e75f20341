// What the data CLI's commands share for their output: result lines on stdout, counts, the refusal error.

/** Exit code 1: the configuration does not allow the command. */
export class RefusedError extends Error {
  override name = "RefusedError";
}

export const say = (line: string) => process.stdout.write(line + "\n");
export const count = (n: number) => n.toLocaleString("en");
