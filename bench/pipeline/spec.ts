/**
 * What the orchestrator (bench/pipeline/main.ts) tells a client runner, and what a runner reports back.
 *
 * Every runner (node-runner.ts for zkts and node-zookeeper-client, JavaPipeline.java) opens one session,
 * then runs, in this order: getData warm-up, getData measured, create+delete warm-up, create+delete
 * measured. For each measured phase it prints one line `RESULT {json}` (a PhaseResult) on stdout.
 */
import { readFileSync } from 'node:fs';

export interface RunSpec {
  connect: string;
  sessionTimeout: number;
  /** The 100-byte node every getData reads. */
  dataPath: string;
  dataSize: number;
  /** Parent of the create+delete nodes; names are `${tag}{w|m}-${i}`, unique per run. */
  pairParent: string;
  tag: string;
  gets: number;
  getWarmup: number;
  pairs: number;
  pairWarmup: number;
  /** Most requests in flight at once (getData), or pairs in progress (create+delete). */
  window: number;
  /** Server JVM pid, for its CPU time from /proc (0: unknown). */
  serverPid: number;
  /** Clock ticks per second of /proc/<pid>/stat times. */
  clkTck: number;
}

export type PhaseName = 'getData' | 'createDelete';

export interface PhaseResult {
  phase: PhaseName;
  /** Requests (a create+delete pair is two). */
  ops: number;
  wallMs: number;
  /** Client process CPU (user + system, every thread) during the phase. */
  cpuUs: number;
  /** The user-mode part of cpuUs, when the runner can tell (Node: yes; Java: null). */
  userUs: number | null;
  /** Server process CPU during the phase; null when unknown. */
  serverCpuUs: number | null;
}

/** key=value arguments, as JavaPipeline takes them; node-runner.ts takes the same. */
export function specArgs(spec: RunSpec): string[] {
  return Object.entries(spec).map(([k, v]) => `${k}=${String(v)}`);
}

export function parseSpecArgs(argv: readonly string[]): RunSpec {
  const m = new Map<string, string>();
  for (const a of argv) {
    const eq = a.indexOf('=');
    if (eq > 0) m.set(a.slice(0, eq), a.slice(eq + 1));
  }
  const str = (k: keyof RunSpec): string => {
    const v = m.get(k);
    if (v === undefined) throw new Error(`runner: missing ${k}=`);
    return v;
  };
  const num = (k: keyof RunSpec): number => Number(str(k));
  return {
    connect: str('connect'),
    sessionTimeout: num('sessionTimeout'),
    dataPath: str('dataPath'),
    dataSize: num('dataSize'),
    pairParent: str('pairParent'),
    tag: str('tag'),
    gets: num('gets'),
    getWarmup: num('getWarmup'),
    pairs: num('pairs'),
    pairWarmup: num('pairWarmup'),
    window: num('window'),
    serverPid: num('serverPid'),
    clkTck: num('clkTck'),
  };
}

export function parseResults(stdout: string): PhaseResult[] {
  const out: PhaseResult[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('RESULT ')) out.push(JSON.parse(line.slice(7)) as PhaseResult);
  }
  return out;
}

/** utime + stime of `pid` in clock ticks (Linux /proc), or -1 when unknown. */
export function procTicks(pid: number): number {
  if (!(pid > 0)) return -1;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'ascii');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return -1;
  }
}

/** Deterministic payload of `n` bytes, the same in every client ('abc...z' repeated). */
export function payload(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 0x61 + (i % 26);
  return b;
}
