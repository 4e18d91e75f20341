// What the sandbox's own user can reach: as root the sandbox runs as uid 200000+ (neither owner nor group of
// anything), so bubblewrap can bind only paths every ancestor of which lets "others" through (issue 15 item 1).
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const OTHERS_X = 0o001;
const OTHERS_R = 0o004;

/** The first path on the way to `path` (an ancestor, itself, or anything below it) that "others" cannot pass or read. */
export function blockedForOthers(path: string): string | null {
  const ancestors: string[] = [];
  for (let p = dirname(resolve(path)); ; p = dirname(p)) {
    ancestors.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const dir of ancestors) if ((statSync(dir).mode & OTHERS_X) === 0) return dir;
  return unreadableBelow(resolve(path));
}

function unreadableBelow(path: string): string | null {
  const stat = statSync(path);
  const need = stat.isDirectory() ? OTHERS_R | OTHERS_X : OTHERS_R;
  if ((stat.mode & need) !== need) return path;
  if (!stat.isDirectory()) return null;
  for (const name of readdirSync(path)) {
    const blocked = unreadableBelow(join(path, name));
    if (blocked) return blocked;
  }
  return null;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

export interface ReachablePackages {
  root: string;
  /** Removes the copy, if one was made. */
  dispose(): void;
}

/**
 * `root` holding the Python packages when the sandbox's user can read them there; otherwise a copy with
 * world-readable modes in a fresh directory of the system's temp dir (mkdtemp: a name nobody can take first).
 */
export function packagesReachableBySandbox(
  root: string,
  packages: string[],
): ReachablePackages | { problem: string } {
  if (packages.every((name) => blockedForOthers(join(root, name)) === null))
    return { root, dispose: () => {} };
  const copy = mkdtempSync(join(tmpdir(), "candlecast-python-"));
  chmodSync(copy, 0o755);
  for (const name of packages) {
    cpSync(join(root, name), join(copy, name), {
      recursive: true,
      filter: (source) => !source.includes("__pycache__"),
    });
    openUp(join(copy, name));
  }
  for (const name of packages) {
    const blocked = blockedForOthers(join(copy, name));
    if (blocked) {
      rmSync(copy, { recursive: true, force: true });
      return {
        problem: `the sandbox's user cannot read ${blocked} (mode ${mode(blocked)}), even in a copy of the Python runtime under ${tmpdir()}: let others traverse it (chmod o+x) or set TMPDIR to a directory they can`,
      };
    }
  }
  return { root: copy, dispose: () => rmSync(copy, { recursive: true, force: true }) };
}

function openUp(path: string) {
  const isDir = statSync(path).isDirectory();
  chmodSync(path, isDir ? 0o755 : 0o644);
  if (isDir) for (const name of readdirSync(path)) openUp(join(path, name));
}

/** The error naming what blocks a path the sandbox must bind (the interpreter), or null. */
export function unreachableBindProblem(what: string, path: string): string | null {
  const blocked = blockedForOthers(path);
  if (!blocked) return null;
  return `${what} ${path} is out of the sandbox's reach: its user (not root, not the owner) cannot pass ${blocked} (mode ${mode(blocked)}). Let others traverse it (chmod o+x ${blocked}) or use a path outside it`;
}
