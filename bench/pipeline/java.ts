/**
 * The Java client runner: finds javac and the ZooKeeper client jars, compiles JavaPipeline.java into a
 * temp dir once per benchmark run, and builds the command line of each run.
 *
 * Jars come from JAVA_CLIENT_CLASSPATH (colon-separated) or Debian's /usr/share/java. zookeeper.jar's
 * manifest Class-Path pulls in the rest (zookeeper-jute, netty, slf4j-api, ...); slf4j-nop silences it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath } from '../shared/on-path.js';

const DEBIAN_JARS = ['zookeeper.jar', 'zookeeper-jute.jar', 'slf4j-api.jar', 'slf4j-nop.jar'].map((j) => join('/usr/share/java', j));

export const JAVA_INSTALL_HINT =
  'Java client skipped: install a JDK 17+ (javac) and the ZooKeeper Java client jars ' +
  '(Debian: apt-get install default-jdk-headless libzookeeper-java libslf4j-java), or set JAVA_CLIENT_CLASSPATH';

export interface JavaRunner {
  java: string;
  classpath: string;
  /** e.g. `openjdk 17.0.15` */
  version: string;
  /** The compiled class directory; remove with dispose(). */
  dir: string;
  dispose(): void;
}

/** Compiles the runner, or returns a one-line reason why the Java client cannot run here. */
export function prepareJava(): JavaRunner | string {
  const javac = onPath('javac');
  const java = onPath('java');
  if (javac === undefined || java === undefined) return `${JAVA_INSTALL_HINT} (no javac/java found)`;
  const jars = process.env['JAVA_CLIENT_CLASSPATH']?.split(':').filter(Boolean) ?? DEBIAN_JARS;
  const missing = jars.filter((j) => !existsSync(j));
  if (missing.length > 0) return `${JAVA_INSTALL_HINT} (missing ${missing.join(', ')})`;
  const classpath = jars.join(':');
  const dir = mkdtempSync(join(tmpdir(), 'zkts-bench-java-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  const source = fileURLToPath(new URL('./JavaPipeline.java', import.meta.url));
  const res = spawnSync(javac, ['-nowarn', '-cp', classpath, '-d', dir, source], { encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0) {
    dispose();
    return `Java client skipped: javac failed: ${(res.stderr || res.stdout || String(res.error)).trim().split('\n')[0]}`;
  }
  const v = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  const version = (v.stderr ?? '').split('\n')[0]?.replace(/"/g, '').trim() ?? 'java';
  return { java, classpath: `${dir}:${classpath}`, version, dir, dispose };
}

/** argv of one Java run: the JVM with its default flags, as an application would start it. */
export function javaCommand(runner: JavaRunner, args: readonly string[]): string[] {
  return [runner.java, '-cp', runner.classpath, 'JavaPipeline', ...args];
}
