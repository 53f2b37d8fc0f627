/**
 * SharedMutex against Apache Curator on one lock path: test/fixtures/curator/CuratorLock.java runs
 * InterProcessMutex in several threads sharing one CuratorFramework, while one zkts client runs several
 * local acquirers of a SharedMutex (one contender node for all of them). Both sides run the fixture's
 * critical section: an ephemeral /inside marker (NodeExists = two holders overlap), an unversioned
 * read-modify-write of /counter (an overlap loses an update) and a /holds/h- node per hold, in order.
 * And a SharedMutex holder keeps Curator out while its local queue hands on.
 *
 * Needs a JDK (javac) and the Curator jars; a missing one fails the test, never skips it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { SharedMutex } from '../../../src/recipes/shared-mutex.js';
import { findJdk } from '../../support/jdk.js';
import { CURATOR_JAR, CURATOR_LOCK_SOURCE, criticalSection, curatorClasspath } from '../../support/recipes/curator-lock.js';
import { scaled, waitFor } from '../../support/zookeeper/index.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { track, within } from '../../support/promises.js';

/** A child process with its output collected; killed by its pid when the test ends. */
function start(cmd: string, args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return { child, out: () => out, exited: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

let compiled: Promise<{ java: string; classes: string }> | undefined;

function curator(): Promise<{ java: string; classes: string }> {
  compiled ??= (async () => {
    if (!existsSync(CURATOR_JAR)) throw new Error(`the Curator interop test needs ${CURATOR_JAR}: apt-get install libcurator-recipes-java`);
    const jdk = findJdk('the Curator interop test needs');
    const classes = await mkdtemp(join(tmpdir(), 'zkts-curator-shared-'));
    const javac = start(jdk.javac, ['-cp', curatorClasspath(), '-d', classes, CURATOR_LOCK_SOURCE]);
    const code = await within(javac.exited, 120_000, 'javac CuratorLock.java');
    if (code !== 0) throw new Error(`javac failed:\n${javac.out()}`);
    return { java: jdk.java, classes };
  })();
  return compiled;
}

afterAll(async () => {
  const made = await compiled?.catch(() => undefined);
  if (made !== undefined) await rm(made.classes, { recursive: true, force: true });
});

function startCurator(java: string, classes: string, args: string[]): ReturnType<typeof start> {
  return start(java, ['-cp', curatorClasspath(classes), '-Xshare:auto', '-XX:TieredStopAtLevel=1', 'CuratorLock', ...args]);
}

describe('shared mutex - curator interop', () => {
  test('shared mutex - Curator threads on one CuratorFramework and SharedMutex local acquirers on one client exclude each other', async ({
    env,
  }) => {
    const JAVA_THREADS = 3;
    const LOCAL = 4;
    const ITERATIONS = 6;
    await env.zk.create('/lock');
    await env.zk.create('/holds');
    await env.zk.create('/counter', '0');
    const { java, classes } = await curator();
    const cur = startCurator(java, classes, [env.chroot.connectString, '/lock', String(JAVA_THREADS), String(ITERATIONS)]);
    await waitFor(() => (cur.out().includes('READY') ? true : undefined), {
      timeoutMs: scaled(60_000),
      intervalMs: 20,
      what: 'CuratorLock READY',
    });
    const zk = await env.connect({ sessionTimeout: 10_000 });
    // Short turns: the lock moves between the zkts process and Curator's nodes many times.
    const mutex = new SharedMutex(zk, '/lock', { maxHoldMs: 5 });
    let overlaps = 0;
    const paths = new Set<string>();
    const worker = async (): Promise<void> => {
      for (let i = 0; i < ITERATIONS; i++) {
        const lease = await within(mutex.acquire(), 60_000, 'a SharedMutex acquire');
        paths.add(lease.path);
        try {
          if (!(await criticalSection(zk))) overlaps++;
        } finally {
          await lease.release();
        }
      }
    };
    await env.zk.create('/go');
    await Promise.all(Array.from({ length: LOCAL }, worker));
    const code = await within(cur.exited, 60_000, 'CuratorLock to finish');
    expect(cur.out()).not.toContain('OVERLAP');
    expect(code, cur.out()).toBe(0);
    expect(overlaps).toBe(0);
    const total = (JAVA_THREADS + LOCAL) * ITERATIONS;
    expect(text((await env.zk.getData('/counter')).data)).toBe(String(total));
    const holds = (await env.zk.getChildren('/holds')).sort();
    const who = await Promise.all(holds.map(async (h) => text((await env.zk.getData(`/holds/${h}`)).data)));
    expect(who.filter((w) => w === 'ts')).toHaveLength(LOCAL * ITERATIONS);
    // They really contended: the lock changed hands between the libraries, and zkts used far fewer
    // nodes than holds (local hand-offs), yet more than one (it gave its node up for Curator's waiters).
    expect(who.filter((w, i) => i > 0 && w !== who[i - 1]).length).toBeGreaterThanOrEqual(2);
    expect(paths.size).toBeLessThan(LOCAL * ITERATIONS);
    expect(await env.zk.getChildren('/lock')).toEqual([]);
  });

  test('shared mutex - a SharedMutex holder keeps Curator out while its local queue hands on; Curator gets the lock after', async ({
    env,
  }) => {
    await env.zk.create('/lock');
    await env.zk.create('/holds');
    await env.zk.create('/counter', '0');
    const zk = await env.connect({ sessionTimeout: 10_000 });
    const mutex = new SharedMutex(zk, '/lock', { maxHoldMs: 600_000 });
    let lease = await mutex.acquire();
    const { java, classes } = await curator();
    const cur = startCurator(java, classes, [env.chroot.connectString, '/lock', '1', '1']);
    await waitFor(() => (cur.out().includes('READY') ? true : undefined), {
      timeoutMs: scaled(60_000),
      intervalMs: 20,
      what: 'CuratorLock READY',
    });
    await env.zk.create('/go');
    const children = await waitFor(
      async () => {
        const c = await zk.getChildren('/lock');
        return c.length === 2 ? c : undefined;
      },
      { timeoutMs: scaled(20_000), intervalMs: 20, what: "Curator's contender node" },
    );
    expect(children.every((c) => /^_c_[0-9a-f-]{36}-lock-\d{10}$/.test(c))).toBe(true);
    for (let i = 0; i < 3; i++) {
      const next = track(mutex.acquire());
      await lease.release();
      lease = await within(next.promise, 10_000, 'a local hand-off');
      expect(text((await zk.getData('/counter')).data)).toBe('0'); // Curator still waits
    }
    const curatorNode = children.find((c) => !lease.path.endsWith(c))!;
    await lease.release();
    expect(await within(cur.exited, 60_000, 'CuratorLock to finish')).toBe(0);
    expect(text((await zk.getData('/counter')).data)).toBe('1');
    expect(curatorNode).toBeDefined();
  });
});
