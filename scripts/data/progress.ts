// The download's progress on stderr: a redrawn bar with an ETA on a terminal, a plain line now and then elsewhere.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Candles to download in all. */
  total: number;
  out: ProgressStream;
  now?: () => number;
  /** Without a terminal, at most one line per this many ms (and always the last one). */
  lineEveryMs?: number;
}

export interface Progress {
  /** `candles` more are done; `label` says where the download is (e.g. "BTC/USDT 2024-03-01"). */
  advance(candles: number, label: string): void;
  /** A message of its own (a retry), kept above the bar. */
  note(message: string): void;
  /** Ends the bar's line. */
  end(): void;
}

const BAR_WIDTH = 30;

/** 75 s -> "1:15", 3,725 s -> "1:02:05". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { total, out } = options;
  const now = options.now ?? Date.now;
  const lineEveryMs = options.lineEveryMs ?? 1_000;
  const tty = out.isTTY === true;
  const started = now();
  let done = 0;
  let label = "";
  let lastLineAt = -Infinity;
  let drawn = false;

  const eta = () => {
    const elapsed = now() - started;
    if (done === 0 || elapsed <= 0) return "ETA --";
    if (done >= total) return `done in ${formatDuration(elapsed)}`;
    return `ETA ${formatDuration(((total - done) * elapsed) / done)}`;
  };
  const counts = () => `${done.toLocaleString("en")}/${total.toLocaleString("en")} candles`;
  const percent = () => (total === 0 ? 100 : Math.floor((100 * done) / total));

  const draw = () => {
    if (tty) {
      const filled = Math.round((BAR_WIDTH * percent()) / 100);
      const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
      out.write(`\r\x1b[2K[${bar}] ${percent()}% ${counts()}  ${label}  ${eta()}`);
      drawn = true;
      return;
    }
    out.write(`download ${percent()}% ${counts()} ${label} ${eta()}\n`);
    lastLineAt = now();
  };

  return {
    advance(candles, where) {
      done = Math.min(total, done + candles);
      label = where;
      if (tty || done >= total || now() - lastLineAt >= lineEveryMs) draw();
    },
    note(message) {
      out.write(tty && drawn ? `\r\x1b[2K${message}\n` : `${message}\n`);
      if (tty && drawn) draw();
    },
    end() {
      if (tty && drawn) out.write("\n");
      drawn = false;
    },
  };
}
