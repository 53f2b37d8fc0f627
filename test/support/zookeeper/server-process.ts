/**
 * One ZooKeeper server running as a local JVM that this process started. Every signal goes to that
 * child's PID only, and only while it is known to be alive (before Node has reaped it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fetchMntr, fetchMode, fourLetter, isServing, type ZkMode } from './four-letter.js';
import { trackPid, untrackDir, untrackPid } from './cleanup-registry.js';
import { logTailOf, type ZkServer, type ZkServerState } from './server.js';
import { scaled } from './timing.js';
import { waitFor } from './wait.js';

export interface ZkProcessSpec {
  id: number;
  /** Directory owned by this server: config, data, log. Deleted by destroy(). */
  dir: string;
  /** What to delete if this process dies without cleaning up (dir, or an ensemble's common root). */
  orphanDir: string;
  configFile: string;
  logFile: string;
  clientPort: number;
  /** TLS port, when the server has one (ZkServerOptions.secureClientPort). */
  secureClientPort?: number | undefined;
  java: string;
  classpath: string[];
  mainClass: string;
  jvmFlags: string[];
  startTimeoutMs: number;
}

/**
 * Kills the JVM if this Node process dies without cleaning up (even by SIGKILL): it waits for EOF on a
 * pipe only Node holds, then SIGKILLs the PID only if that process's command line still names this
 * server's own config file, so a reused PID is never hit. Only after such a kill does it delete the
 * temp dir: on a normal stop the JVM is gone first and the dir may be about to be reused by restart().
 */
const GUARD_SCRIPT = `read -r _ || true
if [ -r "/proc/$1/cmdline" ]; then cmd=$(tr '\\0' ' ' < "/proc/$1/cmdline"); else cmd=$(ps -o args= -p "$1" 2>/dev/null); fi
case "$cmd" in
  *"$2"*)
    kill -9 "$1" 2>/dev/null
    i=0; while [ $i -lt 50 ] && kill -0 "$1" 2>/dev/null && ! grep -qs ') Z ' "/proc/$1/stat"; do sleep 0.1; i=$((i+1)); done
    rm -rf "$3" ;;
esac`;

export class ZkServerProcess implements ZkServer {
  readonly id: number;
  readonly host = '127.0.0.1';
  readonly clientPort: number;
  readonly secureClientPort: number | undefined;
  readonly dir: string;
  readonly logFile: string;
  private readonly spec: ZkProcessSpec;
  private child: ChildProcess | undefined;
  private guard: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private paused = false;
  private lastExit = '';
  private starts = 0;

  constructor(spec: ZkProcessSpec) {
    this.spec = spec;
    this.id = spec.id;
    this.clientPort = spec.clientPort;
    this.secureClientPort = spec.secureClientPort;
    this.dir = spec.dir;
    this.logFile = spec.logFile;
  }

  get connectString(): string {
    return `${this.host}:${this.clientPort}`;
  }

  /** `host:secureClientPort`; throws when the server has no TLS port. */
  get secureConnectString(): string {
    if (this.secureClientPort === undefined) throw new Error(`server ${this.id} has no secureClientPort`);
    return `${this.host}:${this.secureClientPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get state(): ZkServerState {
    if (!this.child) return 'stopped';
    return this.paused ? 'paused' : 'running';
  }

  /** Spawns the JVM; resolves once it is spawned, not once it serves (see waitServing). */
  async start(): Promise<void> {
    if (this.child) throw new Error(`server ${this.id} is already running (pid ${this.child.pid})`);
    this.starts++;
    const log = openSync(this.logFile, 'a');
    writeSync(log, `==== zkts harness: start #${this.starts} at ${new Date().toISOString()}\n`);
    let child: ChildProcess;
    try {
      const { java, jvmFlags, classpath, mainClass, configFile } = this.spec;
      child = spawn(java, [...jvmFlags, '-cp', classpath.join(delimiter), mainClass, configFile], {
        cwd: this.dir,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`cannot start ${this.spec.java}: ${err.message}`);
    }
    trackPid(pid);
    this.child = child;
    this.paused = false;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        // Reaped: from here the PID may belong to someone else.
        untrackPid(pid);
        this.lastExit = signal ? `signal ${signal}` : `code ${String(code)}`;
        if (this.child === child) this.child = undefined;
        this.paused = false;
        this.guard?.stdin?.end();
        this.guard = undefined;
        resolve();
      });
    });
    this.startGuard(pid);
  }

  private startGuard(pid: number): void {
    if (process.platform === 'win32') return;
    const guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'zkts-guard', String(pid), this.spec.configFile, this.spec.orphanDir], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    guard.on('error', () => undefined);
    guard.stdin?.on('error', () => undefined);
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.guard = guard;
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, sig);
    } catch {
      // Exited between the check and the signal; the exit handler catches up.
    }
  }

  /** Resolves true if the process exited within `ms`. */
  private async exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const done = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  async waitServing(timeoutMs = this.spec.startTimeoutMs): Promise<void> {
    await waitFor(async () => ((await this.srvr(scaled(1000)).then(isServing, () => false)) ? true : undefined), {
      timeoutMs,
      intervalMs: 50,
      what: `ZooKeeper server ${this.id} on ${this.connectString} to serve`,
      abortIf: () => (this.child ? undefined : `the server process exited (${this.lastExit})`),
      detail: () => `log tail of ${this.logFile}:\n${this.logTail(40)}`,
    });
  }

  async stop(timeoutMs = scaled(10_000)): Promise<void> {
    if (!this.child) return;
    this.signal('SIGTERM');
    // A stopped process only acts on SIGTERM once continued.
    if (this.paused) this.signal('SIGCONT');
    if (await this.exitedWithin(timeoutMs)) return;
    await this.kill();
  }

  async kill(): Promise<void> {
    if (!this.child) return;
    this.signal('SIGKILL');
    if (!(await this.exitedWithin(scaled(10_000)))) {
      throw new Error(`server ${this.id} (pid ${String(this.pid)}) did not exit after SIGKILL`);
    }
  }

  async pause(): Promise<void> {
    if (!this.child) throw new Error(`server ${this.id} is not running`);
    this.signal('SIGSTOP');
    this.paused = true;
  }

  async resume(): Promise<void> {
    if (!this.child) throw new Error(`server ${this.id} is not running`);
    this.signal('SIGCONT');
    this.paused = false;
  }

  async restart(timeoutMs = this.spec.startTimeoutMs): Promise<void> {
    await this.stop();
    await this.start();
    await this.waitServing(timeoutMs);
  }

  srvr(timeoutMs = scaled(2000)): Promise<string> {
    return fourLetter(this.host, this.clientPort, 'srvr', timeoutMs);
  }

  mntr(timeoutMs = scaled(2000)): Promise<Record<string, string | number>> {
    return fetchMntr(this.host, this.clientPort, timeoutMs);
  }

  mode(timeoutMs = scaled(1000)): Promise<ZkMode | undefined> {
    return fetchMode(this.host, this.clientPort, timeoutMs);
  }

  logTail(lines = 40): string {
    return logTailOf(this.logFile, lines);
  }

  async destroy(): Promise<void> {
    try {
      await this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      untrackDir(this.dir);
    }
  }
}
