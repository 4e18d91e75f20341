// Builds the command line that starts the runner: inside bubblewrap (the default) or bare (development only).
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Where the Python packages are mounted inside the sandbox. */
const SANDBOX_PACKAGE_ROOT = "/opt/candlecast";
/** The strategy SDK (`candlecast`) and the private host that runs strategies (`candlecast_host`), read-only. */
export const PYTHON_PACKAGES = ["candlecast", "candlecast_host"];

export interface SandboxLayout {
  python: string;
  packageRoot: string;
}

export interface RunnerCommand {
  command: string;
  args: string[];
}

/** What a warm sandbox's supervisor imports before forking runs: "scientific" adds numpy and pandas (ADR 023). */
export type Preload = "lean" | "scientific";

function runnerArgs(
  python: string,
  packageRoot: string,
  mode: "sandbox" | "bare",
  preload: Preload,
  tag: string,
): string[] {
  return [python, "-I", "-S", join(packageRoot, "candlecast_host", "runner.py"), mode, preload, tag];
}

/** The directories the interpreter needs, read-only: itself, its standard library, Debian's dist-packages, shared libraries. */
function interpreterBinds(python: string): string[] {
  const real = realpathSync(python);
  const version = basename(real);
  const multiarch = `${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;
  const candidates = [
    `/usr/lib/${version}`,
    join(dirname(dirname(real)), "lib", version),
    "/usr/lib/python3/dist-packages",
    `/usr/lib/${multiarch}`,
    "/usr/lib64",
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/usr/share/zoneinfo",
  ];
  const args = ["--ro-bind", real, real];
  if (python !== real) args.push("--symlink", real, python);
  for (const path of [...new Set(candidates)]) {
    if (existsSync(path)) args.push("--ro-bind", path, path);
  }
  for (const link of ["/lib", "/lib64"]) {
    if (!existsSync(link)) continue;
    if (lstatSync(link).isSymbolicLink()) args.push("--symlink", readlinkSync(link), link);
    else args.push("--ro-bind", link, link);
  }
  return args;
}

/**
 * bubblewrap: every namespace unshared (no network at all), no nested user namespaces, a fresh /proc of the
 * sandbox's own pid namespace, a private size-limited /tmp, nothing of the host but the interpreter, an empty
 * environment, a new session, and death with the parent.
 */
export function bwrapCommand(
  bwrap: string,
  layout: SandboxLayout,
  tmpBytes: number,
  tag: string,
  preload: Preload = "lean",
  program: string[] = runnerArgs(layout.python, SANDBOX_PACKAGE_ROOT, "sandbox", preload, tag),
): RunnerCommand {
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--cap-drop",
    "ALL",
    "--new-session",
    "--die-with-parent",
    "--clearenv",
    "--setenv",
    "OPENBLAS_NUM_THREADS",
    "1",
    "--setenv",
    "OMP_NUM_THREADS",
    "1",
    "--hostname",
    "sandbox",
    ...interpreterBinds(layout.python),
    ...PYTHON_PACKAGES.flatMap((name) => [
      "--ro-bind",
      join(layout.packageRoot, name),
      join(SANDBOX_PACKAGE_ROOT, name),
    ]),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(tmpBytes),
    "--tmpfs",
    "/tmp",
    "--chdir",
    "/tmp",
    "--",
    ...program,
  ];
  return { command: bwrap, args };
}

/** Development only: the runner with rlimits and an empty environment, but the worker's file system and network. */
export function bareCommand(layout: SandboxLayout, tag: string, preload: Preload = "lean"): RunnerCommand {
  const [command, ...args] = runnerArgs(layout.python, layout.packageRoot, "bare", preload, tag);
  return { command, args };
}
