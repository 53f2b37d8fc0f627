/**
 * Finds a way to run ZooKeeper for the integration tests, in this order:
 *  1. ZK_CONNECT: an existing server or ensemble; nothing is started.
 *  2. A local install: ZOOKEEPER_HOME (tarball layout), or Debian's jars in /usr/share/java; `java` needed.
 *  3. A Docker engine, through testcontainers (image ZK_DOCKER_IMAGE, default zookeeper:3.8).
 *  4. As root on Debian/Ubuntu: `apt-get install zookeeper`, then 2.
 * Otherwise it throws an error saying what to install.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { dockerEngineAnswers } from './docker-engine.js';

export type ZkLocation =
  /** Use the servers at `connectString`; start nothing. */
  | { kind: 'external'; connectString: string }
  /** Start servers as `java -cp <classpath> <main class>`. */
  | {
      kind: 'java';
      source: 'ZOOKEEPER_HOME' | 'system' | 'apt';
      java: string;
      classpath: string[];
      /** From the jar's file name, when it says. */
      version: string | undefined;
    }
  /** Start servers as containers of `image`. */
  | { kind: 'docker'; image: string };

export interface LocateOptions {
  /** Skip ZK_CONNECT: for callers that must start their own servers (fault tests). */
  needStartable?: boolean;
  /** Allow the apt-get fallback (default true). */
  allowInstall?: boolean;
}

const DEBIAN_JAVA_DIR = '/usr/share/java';
export const DEFAULT_DOCKER_IMAGE = 'zookeeper:3.8';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** JAVA_HOME/bin/java, else `java` on PATH. */
export function findJava(): string | undefined {
  const home = process.env['JAVA_HOME'];
  if (home && isExecutable(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'java'))) return join(dir, 'java');
  }
  return undefined;
}

function versionOf(jar: string): string | undefined {
  return /zookeeper-(\d+\.\d+\.\d+)/.exec(basename(jar))?.[1];
}

/** Tarball layout: lib/*.jar (3.5+ keeps zookeeper-x.y.z.jar there too; 3.4 kept it at the top) plus conf/. */
function fromZooKeeperHome(home: string, java: string): ZkLocation {
  const lib = join(home, 'lib');
  const jars = existsSync(lib)
    ? readdirSync(lib)
        .filter((f) => f.endsWith('.jar'))
        .map((f) => join(lib, f))
    : [];
  const top = readdirSync(home)
    .filter((f) => /^zookeeper-[\d.]+\.jar$/.test(f))
    .map((f) => join(home, f));
  const all = [...top, ...jars];
  const main = all.find((j) => /zookeeper-\d[\d.]*\.jar$/.test(basename(j)));
  if (!main) throw new Error(`ZOOKEEPER_HOME=${home} holds no zookeeper-<version>.jar in lib/ or at its top`);
  // conf/ carries the tarball's logback/log4j settings.
  return { kind: 'java', source: 'ZOOKEEPER_HOME', java, classpath: [join(home, 'conf'), ...all], version: versionOf(main) };
}

/**
 * Debian's zookeeper.jar lists its dependencies in its manifest Class-Path, so it is enough on its own;
 * slf4j-simple is added (when present) so the server log lands in the log file instead of nowhere, and
 * netty-codec, which the manifest leaves out although Netty's SslHandler needs it: without it a
 * secureClientPort accepts connections and closes them (NoClassDefFoundError ByteToMessageDecoder).
 */
function fromDebian(java: string, source: 'system' | 'apt'): ZkLocation | undefined {
  const jar = join(DEBIAN_JAVA_DIR, 'zookeeper.jar');
  if (!existsSync(jar)) return undefined;
  const classpath = [jar];
  for (const extra of ['slf4j-simple.jar', 'netty-codec.jar']) {
    const file = join(DEBIAN_JAVA_DIR, extra);
    if (existsSync(file)) classpath.push(file);
  }
  // zookeeper.jar is the real file; the versioned name sits beside it as a link.
  let version = versionOf(realpathSync(jar));
  if (version === undefined) {
    for (const f of readdirSync(DEBIAN_JAVA_DIR)) version ??= /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(f)?.[1];
  }
  return { kind: 'java', source, java, classpath, version };
}

function isDebianLike(): boolean {
  try {
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease);
  } catch {
    return false;
  }
}

function aptInstall(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'zookeeper']]) {
    const res = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 15 * 60_000 });
    if (res.status !== 0) {
      const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.split('\n').slice(-20).join('\n');
      throw new Error(`apt-get ${args.join(' ')} failed (status ${res.status}):\n${out}`);
    }
  }
}

export function notFoundError(notes: string[]): Error {
  return new Error(
    [
      'No ZooKeeper available for the integration tests. Any one of these works:',
      '  - set ZK_CONNECT=127.0.0.1:2181 to use a server that is already running (fault tests still need one of the others);',
      '  - install Java 11+ and ZooKeeper: on Debian/Ubuntu `sudo apt-get install zookeeper` (jars in /usr/share/java),',
      '    or unpack apache-zookeeper-3.8.x-bin.tar.gz and set ZOOKEEPER_HOME to it (plus JAVA_HOME or java on PATH);',
      '  - start a Docker engine: the harness runs the official `zookeeper:3.8` image through testcontainers.',
      ...(notes.length > 0 ? ['Found so far:', ...notes.map((n) => `  - ${n}`)] : []),
    ].join('\n'),
  );
}

async function locateUncached(opts: LocateOptions): Promise<ZkLocation> {
  const notes: string[] = [];
  const connect = process.env['ZK_CONNECT'];
  if (connect && !opts.needStartable) return { kind: 'external', connectString: connect };

  const java = findJava();
  const home = process.env['ZOOKEEPER_HOME'];
  if (home) {
    // An explicit setting that does not work is a mistake to report, not to route around.
    if (!java) throw new Error(`ZOOKEEPER_HOME=${home} is set but no java was found (set JAVA_HOME or put java on PATH)`);
    return fromZooKeeperHome(home, java);
  }
  if (java) {
    const debian = fromDebian(java, 'system');
    if (debian) return debian;
  } else if (existsSync(join(DEBIAN_JAVA_DIR, 'zookeeper.jar'))) {
    notes.push(`${DEBIAN_JAVA_DIR}/zookeeper.jar exists but no java was found`);
  }

  if (await dockerEngineAnswers()) {
    return { kind: 'docker', image: process.env['ZK_DOCKER_IMAGE'] ?? DEFAULT_DOCKER_IMAGE };
  }
  notes.push('no Docker engine answered');

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if ((opts.allowInstall ?? true) && isRoot && isDebianLike()) {
    try {
      aptInstall();
    } catch (err) {
      throw notFoundError([...notes, err instanceof Error ? err.message : String(err)]);
    }
    const installedJava = findJava();
    const debian = installedJava ? fromDebian(installedJava, 'apt') : undefined;
    if (debian) return debian;
    notes.push('apt-get install zookeeper ran but left no java or no /usr/share/java/zookeeper.jar');
  }
  throw notFoundError(notes);
}

const cache = new Map<string, Promise<ZkLocation>>();

/** Memoised per process and per options: detection probes (and possibly installs) only once. */
export function locateZooKeeper(opts: LocateOptions = {}): Promise<ZkLocation> {
  const key = `${opts.needStartable === true}|${opts.allowInstall ?? true}`;
  let found = cache.get(key);
  if (!found) {
    found = locateUncached(opts);
    // A failed attempt is not cached: the next caller may have fixed the environment.
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}
