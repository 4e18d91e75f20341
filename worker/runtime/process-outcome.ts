// What a finished sandbox process reports: its answer, the tail of stderr, how it ended and how long it took.
export interface ProcessOutcome {
  stdout: Buffer;
  /** The last few KB of stderr (bubblewrap's own messages, interpreter crashes). */
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  answerTooLarge: boolean;
  ms: number;
}
