// Runs once before the test files: the browser tests serve the real Remix build.
import { buildIfNeeded } from "../scripts/build-if-needed";

export default function setup() {
  buildIfNeeded((msg) => process.stdout.write(`${msg}\n`));
}
