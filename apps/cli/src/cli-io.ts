/** Where a run of the CLI reads and writes; tests pass their own to run it in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Environment variables (`SKILLS_DB_URL`, `SKILLS_DEBUG`, `SKILLS_PSEUDONYM_SECRET`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: progress bars are drawn only then. */
  isTTY: boolean;
  /** Clock for relative times such as `--since 24h` (default `Date.now`). */
  now?: () => number;
}

/** The io of the current process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** State shared by the commands of one run. */
export interface CommandContext {
  io: CliIo;
  now(): number;
  /** Exit code once the command has finished (commands that report a failure set it). */
  exitCode: number;
}

export function createContext(io: CliIo): CommandContext {
  return { io, now: io.now ?? Date.now, exitCode: 0 };
}
