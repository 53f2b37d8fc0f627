/**
 * Prepares the peer runners (Curator in Java, kazoo in Python) and builds their command lines, so the
 * lock benchmark's orchestrator and its fault run start them the same way. Each prepare function returns a
 * PeerRunner, or a one-line reason why that peer cannot run on this machine.
 *
 * Curator: jars from CURATOR_CLASSPATH (colon-separated) or Debian's /usr/share/java
 *   (libcurator-recipes-java); CuratorLockBench.java is compiled into a temp dir once per prepare.
 * kazoo: the interpreter from KAZOO_PYTHON or Debian's /usr/bin/python3 (python3-kazoo); the first
 *   python3 on PATH may be another build without kazoo, so it is not used by default.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunnerConfig } from '../protocol.js';
import { onPath } from '../../shared/on-path.js';

/**
 * Debian's jars. curator-recipes' manifest Class-Path already names curator-framework, curator-client,
 * guava, slf4j-api, zookeeper and zookeeper-jute (and zookeeper.jar's names the rest: netty, jackson,
 * ...); they are listed explicitly so an override or a missing manifest entry is visible. slf4j-nop
 * silences SLF4J's "no binding" warning.
 */
export const CURATOR_DEBIAN_JARS = [
  'curator-recipes.jar',
  'curator-framework.jar',
  'curator-client.jar',
  'zookeeper.jar',
  'zookeeper-jute.jar',
  'guava.jar',
  'slf4j-api.jar',
  'slf4j-nop.jar',
].map((j) => join('/usr/share/java', j));

export const CURATOR_INSTALL_HINT =
  'Curator skipped: install a JDK 17+ (javac) and Curator 5.x jars ' +
  '(Debian: apt-get install default-jdk-headless libcurator-recipes-java libslf4j-java), or set CURATOR_CLASSPATH';

export const KAZOO_PYTHON_DEFAULT = '/usr/bin/python3';

export const KAZOO_INSTALL_HINT =
  'kazoo skipped: install kazoo for a Python 3 interpreter (Debian: apt-get install python3-kazoo), ' +
  'or set KAZOO_PYTHON to an interpreter that can import kazoo';

export interface PeerRunner {
  impl: 'curator' | 'kazoo';
  /** Library and runtime, e.g. `Curator 5.4.0 on openjdk 17.0.15`. */
  description: string;
  /**
   * argv (program first) that runs one runner process. Protocol version 2: no config on the command
   * line (cells come as `CELL <json>` lines on stdin); `config` is optional and ignored by Curator's.
   */
  command(config?: RunnerConfig): string[];
  /** Removes compiled classes, if any. */
  dispose(): void;
}

const firstLine = (s: string | undefined): string => (s ?? '').trim().split('\n')[0] ?? '';

/** Compiles CuratorLockBench.java, or returns why Curator cannot run here. */
export function prepareCurator(): PeerRunner | string {
  const javac = onPath('javac');
  const java = onPath('java');
  if (javac === undefined || java === undefined) return `${CURATOR_INSTALL_HINT} (no javac/java found)`;
  const jars = process.env['CURATOR_CLASSPATH']?.split(':').filter(Boolean) ?? CURATOR_DEBIAN_JARS;
  const missing = jars.filter((j) => !existsSync(j));
  if (missing.length > 0) return `${CURATOR_INSTALL_HINT} (missing ${missing.join(', ')})`;
  const jarPath = jars.join(':');
  const dir = mkdtempSync(join(tmpdir(), 'zkts-bench-curator-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  const source = fileURLToPath(new URL('./curator/CuratorLockBench.java', import.meta.url));
  // -nowarn: zookeeper.jar's manifest names jline.jar, which Debian does not always install.
  const res = spawnSync(javac, ['-nowarn', '-cp', jarPath, '-d', dir, source], { encoding: 'utf8', timeout: 180_000 });
  if (res.status !== 0) {
    dispose();
    return `Curator skipped: javac failed: ${firstLine(res.stderr || res.stdout || String(res.error))}`;
  }
  const v = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  const jvm = firstLine(v.stderr).replace(/"/g, '');
  const classpath = `${dir}:${jarPath}`;
  return {
    impl: 'curator',
    description: `Curator InterProcessMutex on ${jvm || 'java'}`,
    // The JVM with its default flags, as an application would start it. No argument: the runner serves
    // one cell after another from `CELL <json>` lines on stdin (protocol.ts, version 2).
    command: () => [java, '-cp', classpath, 'CuratorLockBench'],
    dispose,
  };
}

/** Checks that the interpreter can import kazoo, or returns why kazoo cannot run here. */
export function prepareKazoo(): PeerRunner | string {
  const python = process.env['KAZOO_PYTHON'] ?? KAZOO_PYTHON_DEFAULT;
  if (!existsSync(python)) return `${KAZOO_INSTALL_HINT} (no ${python})`;
  const probe = spawnSync(python, ['-c', 'import sys, kazoo.version as v; print(v.__version__, sys.version.split()[0])'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (probe.status !== 0) return `${KAZOO_INSTALL_HINT} (${python}: ${firstLine(probe.stderr || String(probe.error))})`;
  const [kazooVersion, pyVersion] = firstLine(probe.stdout).split(' ');
  const script = fileURLToPath(new URL('./kazoo/kazoo_lock_bench.py', import.meta.url));
  return {
    impl: 'kazoo',
    description: `kazoo ${kazooVersion} Lock on Python ${pyVersion}`,
    // -u: unbuffered stdio (the runner flushes each line anyway); -B: no __pycache__ next to the script.
    // No argument: the runner serves cells it receives as `CELL <json>` lines (protocol version 2).
    command: () => [python, '-u', '-B', script],
    dispose: () => {},
  };
}
