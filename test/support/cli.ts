/**
 * Running the `zkts` command line in integration tests as a user would: a separate process,
 * `node --import tsx src/cli/main.ts ARGS` from the source tree, with its own environment. Every process
 * started is tracked and killed by PID (SIGKILL) in `killAll()`, which tests call in afterEach; the
 * commands zkts ran for them (CMD) report their PIDs through the line file (hold.mjs), and are killed too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scaled } from './zookeeper/timing.js';
import { waitFor } from './zookeeper/wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_MAIN = `${REPO_ROOT}src/cli/main.ts`;
/** The CMD the lock and elect tests run: appends start/end/term/int lines to a file (see the script). */
export const HOLD_SCRIPT = `${REPO_ROOT}test/fixtures/cli/hold.mjs`;
/** tsx's loader by absolute URL, so zkts (and its watchdog) load from any working directory. */
export const TSX_IMPORT = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Output so far. */
  readonly stdout: () => string;
  /** stdout as the bytes written (for --raw). */
  readonly stdoutBytes: () => Uint8Array;
  readonly stderr: () => string;
  /** Resolves when the process has exited and its output is complete. */
  readonly result: Promise<CliResult>;
  /** Writes to its stdin and closes it (for --file -). */
  input(data: string | Uint8Array): void;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Starts and tracks zkts processes; `killAll()` ends the ones still running (and their CMDs). */
export class CliRunner {
  private readonly processes = new Set<CliProcess>();
  private readonly lineFiles = new Set<string>();
  private readonly baseEnv: Record<string, string | undefined>;

  constructor(baseEnv: Record<string, string | undefined>) {
    this.baseEnv = baseEnv;
  }

  /** Starts `zkts ARGS`; stdin is a pipe (closed by `input()`), stdout and stderr are collected. */
  start(args: readonly string[], options: CliOptions = {}): CliProcess {
    const env = { ...process.env, ...this.baseEnv, ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, ['--import', TSX_IMPORT, CLI_MAIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    const stdout = (): string => Buffer.concat(out).toString('utf8');
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdin!.on('error', () => undefined);
    const result = new Promise<CliResult>((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stdout: stdout(), stderr }));
    });
    const proc: CliProcess = {
      child,
      pid: child.pid!,
      stdout,
      stdoutBytes: () => new Uint8Array(Buffer.concat(out)),
      stderr: () => stderr,
      result,
      input(data) {
        child.stdin!.end(data);
      },
    };
    this.processes.add(proc);
    void result.then(() => this.processes.delete(proc));
    return proc;
  }

  /** Runs `zkts ARGS` to its end (stdin closed at once), within `ms` (scaled). */
  async run(args: readonly string[], options: CliOptions & { input?: string | Uint8Array; ms?: number } = {}): Promise<CliResult> {
    const proc = this.start(args, options);
    proc.input(options.input ?? '');
    return exited(proc, options.ms ?? 30_000);
  }

  /** Files whose CMD processes (hold.mjs lines) `killAll()` also ends. */
  watchLineFile(file: string): void {
    this.lineFiles.add(file);
  }

  /** SIGKILLs, by PID, every zkts still running and every hold.mjs CMD listed in a watched line file. */
  killAll(): void {
    for (const proc of this.processes) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) killQuietly(proc.pid);
    }
    for (const file of this.lineFiles) {
      for (const line of readLines(file)) if (line.event === 'start') killQuietly(line.pid);
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The process's result, or a test failure (with its output so far) if it runs longer than `ms` (scaled). */
export async function exited(proc: CliProcess, ms: number): Promise<CliResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`zkts (pid ${proc.pid}) still running after ${scaled(ms)} ms\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`),
        ),
      scaled(ms),
    );
  });
  try {
    return await Promise.race([proc.result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the process's stderr matches `pattern` (or fails the test after `ms`, scaled). */
export async function stderrMatches(proc: CliProcess, pattern: RegExp, ms: number): Promise<void> {
  await waitFor(() => (pattern.test(proc.stderr()) ? true : undefined), {
    timeoutMs: scaled(ms),
    what: `zkts stderr to match ${pattern}`,
    detail: () => `stderr so far: ${proc.stderr()}`,
    abortIf: () => (proc.child.exitCode !== null || proc.child.signalCode !== null ? `zkts exited: ${proc.stderr()}` : undefined),
  });
}

/** One line of hold.mjs: `EVENT NAME TIME_MS TOKEN PID`. */
export interface HoldLine {
  readonly event: 'start' | 'end' | 'term' | 'int';
  readonly name: string;
  readonly time: number;
  readonly token: string;
  readonly pid: number;
}

export function readLines(file: string): HoldLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [event, name, time, token, pid] = l.split(' ');
      return { event: event as HoldLine['event'], name: name!, time: Number(time), token: token!, pid: Number(pid) };
    });
}

/** Waits until the line file has a line with this event and name; returns it. */
export async function lineAppears(file: string, event: HoldLine['event'], name: string, ms: number): Promise<HoldLine> {
  return waitFor(() => readLines(file).find((l) => l.event === event && l.name === name), {
    timeoutMs: scaled(ms),
    what: `"${event} ${name}" in ${file}`,
    detail: () => `lines so far:\n${readFileSync(file, 'utf8')}`,
  });
}

/**
 * `node hold.mjs FILE NAME HOLD [EXIT_CODE]` as a CMD for zkts lock / elect. HOLD: ms, < 0 for until a
 * signal, or `until:PATH` for until the test creates PATH.
 */
export function holdCommand(file: string, name: string, hold: number | string, exitCode = 0): string[] {
  return [process.execPath, HOLD_SCRIPT, file, name, String(hold), String(exitCode)];
}
