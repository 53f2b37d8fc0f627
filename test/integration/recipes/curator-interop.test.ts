/**
 * Interop with Apache Curator: test/fixtures/curator/CuratorLock.java runs InterProcessMutex (Debian's
 * libcurator-recipes-java) on the same lock path as zkts's Mutex, through the shared server and the test's
 * chroot. Both sides run the same critical section: an ephemeral /inside marker (NodeExists means two
 * holders overlap: no clocks compared across processes), an unversioned read-modify-write of /counter
 * (an overlap loses an update), and a persistent-sequential /holds/h- node recording who held, in order.
 *
 * Needs a JDK (javac) and the Curator jars; a missing one fails the test, never skips it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findJdk } from '../../support/jdk.js';
import { CURATOR_JAR, CURATOR_LOCK_SOURCE, criticalSection, curatorClasspath } from '../../support/recipes/curator-lock.js';
import { afterAll, onTestFinished } from 'vitest';
import type { ZooKeeper } from '../../../src/entry/node.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { scaled, waitFor } from '../../support/zookeeper/index.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { within } from '../../support/promises.js';

/** Runs a command to completion with a hard time limit. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A running CuratorLock: its stdout lines as they come, its exit; killed by its pid when the test ends. */
interface JavaLocker {
  child: ChildProcess;
  stdout: string[];
  stderr: string;
  exited: Promise<number | null>;
  /** Resolves when `line` is printed; rejects if the process exits first or after `ms` (scaled). */
  printed(line: string, ms: number): Promise<void>;
}

function startJava(java: string, classes: string, args: string[]): JavaLocker {
  const child = spawn(java, ['-cp', curatorClasspath(classes), '-Xshare:auto', '-XX:TieredStopAtLevel=1', 'CuratorLock', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const waiters = new Map<string, () => void>();
  const stdout: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (b: Buffer) => {
    buffered += b.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      stdout.push(line);
      waiters.get(line)?.();
    }
  });
  const locker: JavaLocker = {
    child,
    stdout,
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    printed(line, ms) {
      if (stdout.includes(line)) return Promise.resolve();
      const seen = new Promise<void>((resolve) => waiters.set(line, resolve));
      const died = locker.exited.then((code) => Promise.reject(new Error(`CuratorLock exited (${code}) before ${line}: ${locker.stderr}`)));
      return within(Promise.race([seen, died]), ms, `CuratorLock to print ${line}`);
    },
  };
  child.stderr!.on('data', (b: Buffer) => (locker.stderr += b.toString()));
  return locker;
}

interface Toolchain {
  java: string;
  /** Directory holding the compiled CuratorLock.class. */
  classes: string;
}

let toolchain: Promise<Toolchain> | undefined;

/**
 * The JDK and the compiled fixture, made once per file. Missing Curator jars or javac fail every test
 * that needs them with a message saying what to install (never a skip).
 */
function curator(): Promise<Toolchain> {
  toolchain ??= (async () => {
    if (!existsSync(CURATOR_JAR)) {
      throw new Error(
        `the Curator interop test needs Apache Curator's jars (${CURATOR_JAR} not found). ` +
          'Install them: apt-get install libcurator-recipes-java',
      );
    }
    const jdk = findJdk('the Curator interop test needs');
    const classes = await mkdtemp(join(tmpdir(), 'zkts-curator-'));
    const compiled = await run(jdk.javac, ['-cp', curatorClasspath(), '-d', classes, CURATOR_LOCK_SOURCE], scaled(120_000));
    if (compiled.code !== 0) throw new Error(`javac CuratorLock.java failed:\n${compiled.output}`);
    return { java: jdk.java, classes };
  })();
  return toolchain;
}

afterAll(async () => {
  const made = await toolchain?.catch(() => undefined);
  if (made !== undefined) await rm(made.classes, { recursive: true, force: true });
});

describe('curator interop', () => {
  test('curator interop - InterProcessMutex and zkts Mutex on one path exclude each other', async ({ env }) => {
    const JAVA_THREADS = 2;
    const TS_CLIENTS = 2;
    const ITERATIONS = 8;
    await env.zk.create('/lock');
    await env.zk.create('/holds');
    await env.zk.create('/counter', '0');
    const { java: javaBin, classes } = await curator();
    const java = startJava(javaBin, classes, [env.chroot.connectString, '/lock', String(JAVA_THREADS), String(ITERATIONS)]);
    await java.printed('READY', 60_000);
    const clients = await Promise.all(Array.from({ length: TS_CLIENTS }, () => env.connect({ sessionTimeout: 10_000 })));
    let overlaps = 0;
    const worker = async (zk: ZooKeeper): Promise<void> => {
      const mutex = new Mutex(zk, '/lock');
      for (let i = 0; i < ITERATIONS; i++) {
        const lease = await within(mutex.acquire(), 60_000, 'a zkts acquire');
        try {
          if (!(await criticalSection(zk))) overlaps++;
        } finally {
          await lease.release();
        }
      }
    };
    await env.zk.create('/go');
    await Promise.all(clients.map(worker));
    const code = await within(java.exited, 60_000, 'CuratorLock to finish');
    expect(java.stdout, java.stderr).not.toContain('OVERLAP');
    expect(code, `${java.stdout.join('\n')}\n${java.stderr}`).toBe(0);
    expect(java.stdout).toContain(`DONE ${JAVA_THREADS * ITERATIONS}`);
    expect(overlaps).toBe(0);
    const total = (JAVA_THREADS + TS_CLIENTS) * ITERATIONS;
    expect(text((await env.zk.getData('/counter')).data)).toBe(String(total));
    // The holds, in the order they happened: both kinds of client held, and the lock changed hands
    // between Curator and zkts (they really contended, not one after the other).
    const holds = (await env.zk.getChildren('/holds')).sort();
    expect(holds).toHaveLength(total);
    const who = await Promise.all(holds.map(async (h) => text((await env.zk.getData(`/holds/${h}`)).data)));
    expect(who.filter((w) => w === 'java')).toHaveLength(JAVA_THREADS * ITERATIONS);
    expect(who.filter((w) => w === 'ts')).toHaveLength(TS_CLIENTS * ITERATIONS);
    const switches = who.filter((w, i) => i > 0 && w !== who[i - 1]).length;
    expect(switches).toBeGreaterThanOrEqual(2);
    expect(await env.zk.getChildren('/lock')).toEqual([]);
  });

  test('curator interop - a zkts holder keeps Curator out, and Curator queues behind its node', async ({ env }) => {
    await env.zk.create('/lock');
    await env.zk.create('/holds');
    await env.zk.create('/counter', '0');
    const zk = await env.connect({ sessionTimeout: 10_000 });
    const mutex = new Mutex(zk, '/lock');
    const lease = await mutex.acquire();
    const { java: javaBin, classes } = await curator();
    const java = startJava(javaBin, classes, [env.chroot.connectString, '/lock', '1', '1']);
    await java.printed('READY', 60_000);
    await env.zk.create('/go');
    // Curator's contender node appears behind ours (it counts our `_c_…-lock-` node as a contender).
    const children = await waitFor(
      async () => {
        const c = await zk.getChildren('/lock');
        return c.length === 2 ? c : undefined;
      },
      { timeoutMs: scaled(20_000), intervalMs: 20, what: "Curator's contender node" },
    );
    expect(children.every((c) => /^_c_[0-9a-f-]{36}-lock-\d{10}$/.test(c))).toBe(true);
    // It waits: its critical section has not run while we hold, and a zkts tryAcquire sees the lock taken.
    expect(await new Mutex(zk, '/lock').tryAcquire()).toBeNull();
    expect(text((await zk.getData('/counter')).data)).toBe('0');
    expect(lease.held).toBe(true);
    await lease.release();
    expect(await within(java.exited, 60_000, 'CuratorLock to finish')).toBe(0);
    expect(text((await zk.getData('/counter')).data)).toBe('1');
  });

  test('curator interop - a Curator holder keeps zkts out, and zkts takes over once it releases', async ({ env }) => {
    await env.zk.create('/lock');
    const zk = await env.connect({ sessionTimeout: 10_000 });
    const { java: javaBin, classes } = await curator();
    const java = startJava(javaBin, classes, [env.chroot.connectString, '/lock', 'hold']);
    await java.printed('HELD', 60_000);
    const curatorNode = text((await zk.getData('/held')).data)!;
    expect(curatorNode).toMatch(/^\/lock\/_c_[0-9a-f-]{36}-lock-\d{10}$/);
    const curatorToken = (await zk.exists(curatorNode))!.czxid;
    const mutex = new Mutex(zk, '/lock');
    expect(await mutex.tryAcquire()).toBeNull();
    let acquired = false;
    const waiting = mutex.acquire().then((l) => {
      acquired = true;
      return l;
    });
    await waitFor(async () => ((await zk.getChildren('/lock')).length === 2 ? true : undefined), {
      timeoutMs: scaled(10_000),
      intervalMs: 10,
      what: 'the zkts waiter to queue',
    });
    expect(acquired).toBe(false);
    await zk.create('/release');
    const lease = await within(waiting, 60_000, 'zkts to take over');
    expect(await within(java.exited, 60_000, 'CuratorLock to finish')).toBe(0);
    expect(java.stdout).toContain('DONE 1');
    expect(await zk.exists(curatorNode)).toBeNull();
    // The fencing order spans both libraries: our node was created after Curator's.
    expect(lease.fencingToken > curatorToken).toBe(true);
    await lease.release();
  });
});
