/**
 * The package as a user gets it. Once per file: build `src` into a copy of the package (package.json,
 * README.md, src, and dist from `tsc -p tsconfig.build.json`), `npm pack` it, and `npm install` the
 * tarball (no other dependency, offline) into a scratch project in a temp folder. Then, from that project
 * and by package name only:
 *
 * - Node (no flags) imports `zkts`, `zkts/recipes` and `zkts/protocol` (test/fixtures/package/check.mjs)
 *   and runs a session and a Mutex against the shared ZooKeeper: the `node` condition picked the Node entry.
 * - Bun and Deno (node_modules/.bin) run the same script; the `bun` / `deno` condition picked their entry,
 *   and every connection went through Bun.connect / Deno.connect (the script counts the calls).
 * - esbuild bundles a Worker (worker.mjs) with wrangler's conditions (`workerd`, `worker`, `browser`) and
 *   Miniflare runs it in workerd with no compatibility flag: the Workers entry, `cloudflare:sockets`, no node:*.
 * - tsc type-checks consumers against the shipped .d.ts: moduleResolution node16, and bundler with and
 *   without a runtime condition (skipLibCheck off, so the declarations themselves are checked too).
 *
 * Each runtime works in its own chroot. The exercise (test/fixtures/package/exercise.mjs) checks that an
 * error thrown inside zkts/recipes is an instance of zkts's class: one module instance behind both names.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type TestChroot, createChroot, scaled } from '../../support/zookeeper/index.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'package');
/** Files npm packs whatever `files` says, when the repository has them. */
const ALWAYS_PACKED = /^(?:README|LICEN[CS]E|CHANGELOG)(?:\.\w+)?$/i;
/** Node itself when vitest runs on Node; the `node` on PATH otherwise. */
const NODE = process.versions['bun'] === undefined && !('Deno' in globalThis) ? process.execPath : 'node';

/** What check.mjs and worker.mjs report (see exercise.mjs). */
interface Report {
  runtime: string;
  dials: number;
  transports: string[];
  data: string;
  noNode: boolean;
  acquireTimeout: boolean;
  held: boolean;
  tokensIncrease: boolean;
  sameErrorCodes: boolean;
  sameLease: boolean;
  error?: string;
}

let temp = '';
/** The scratch project with the tarball installed. */
let app = '';
/** Paths in the tarball (npm pack --json), without the `package/` prefix. */
let packed: string[] = [];
/** README, LICENSE, CHANGELOG: what the repository root has of them. */
let rootFiles: string[] = [];
let manifest: { exports: Record<string, unknown>; main: string; types: string; files: string[] } = {
  exports: {},
  main: '',
  types: '',
  files: [],
};
const chroots: TestChroot[] = [];

async function chroot(name: string): Promise<string> {
  const created = await createChroot(inject('zkConnect'), `package-${name}`, { superUser: inject('zkHarness') });
  chroots.push(created);
  return created.connectString;
}

async function sh(file: string, args: string[], cwd: string, timeoutMs = scaled(120_000)): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      cwd,
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', npm_config_update_notifier: 'false' },
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
}

/** The last line of a child's output, as JSON. */
function lastJson(stdout: string): Report {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Report;
}

/** What every runtime's exercise must show, apart from the entry it picked. */
function expectExercised(report: Report): void {
  expect(report.error).toBeUndefined();
  expect(report.data).toBe('hello');
  expect(report.noNode).toBe(true);
  expect(report.acquireTimeout).toBe(true);
  expect(report.held).toBe(true);
  expect(report.tokensIncrease).toBe(true);
  expect(report.sameErrorCodes).toBe(true);
  expect(report.sameLease).toBe(true);
}

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'zkts-package-'));
  const pkg = join(temp, 'zkts');
  await mkdir(pkg);
  rootFiles = (await readdir(ROOT)).filter((f) => ALWAYS_PACKED.test(f));
  await Promise.all([
    cp(join(ROOT, 'package.json'), join(pkg, 'package.json')),
    ...rootFiles.map((f) => cp(join(ROOT, f), join(pkg, f))),
    cp(join(ROOT, 'src'), join(pkg, 'src'), { recursive: true }),
  ]);
  // What `npm run build` does, into the copy (the repository's own dist is left alone).
  await sh(
    NODE,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')],
    ROOT,
  );
  // The copy has no node_modules: prepack (npm run build) is what just ran, so scripts are skipped.
  const packJson = await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', temp], pkg);
  const [info] = JSON.parse(packJson) as [{ filename: string; files: { path: string }[] }];
  packed = info.files.map((f) => f.path);
  manifest = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')) as typeof manifest;

  app = join(temp, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2));
  await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(temp, info.filename)], app);
  for (const file of ['exercise.mjs', 'check.mjs', 'worker.mjs']) await cp(join(FIXTURES, file), join(app, file));
}, scaled(240_000));

afterAll(async () => {
  await Promise.all(chroots.map((c) => c.cleanup()));
  if (temp !== '') await rm(temp, { recursive: true, force: true });
});

/** Every file path an exports map (or a nested condition) points at. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(targets);
}

describe('package - the tarball', () => {
  it('package - every exports target, main and types are in the tarball; no tests, benchmarks or examples', () => {
    const paths = new Set(packed);
    for (const target of [...targets(manifest.exports), manifest.main, manifest.types]) {
      expect(paths, target).toContain(target.replace(/^\.\//, ''));
    }
    expect(packed.filter((p) => /^(test|bench|examples|node_modules)\//.test(p))).toEqual([]);
    expect(packed).toContain('README.md');
    // The license and the changelog (npm packs README and LICENSE whatever `files` says; CHANGELOG.md is in `files`).
    for (const f of rootFiles) expect(packed).toContain(f);
  });

  it('package - "." has a runtime condition for each entry, in the order runtimes match them, each with its types', () => {
    const root = manifest.exports['.'] as Record<string, { types: string; default: string }>;
    // Bun also matches `node`, and Deno `node`: their own condition must come first.
    expect(Object.keys(root)).toEqual(['bun', 'deno', 'workerd', 'worker', 'node', 'default']);
    for (const [condition, target] of Object.entries(root)) {
      expect(Object.keys(target), condition).toEqual(['types', 'default']);
      expect(target.types, condition).toBe(target.default.replace(/\.js$/, '.d.ts'));
    }
  });
});

describe('package - each runtime imports zkts by name from an installed tarball', () => {
  it('package - Node (no flags): the node condition, a session and a Mutex', async () => {
    const report = lastJson(await sh(NODE, ['check.mjs', await chroot('node')], app));
    expectExercised(report);
    expect(report.runtime).toBe('node');
    expect(report.transports).toEqual(['nodeTransport']);
  });

  it('package - Bun: the bun condition; every connection through Bun.connect', async () => {
    const report = lastJson(await sh(join(BIN, 'bun'), ['check.mjs', await chroot('bun')], app));
    expectExercised(report);
    expect(report.runtime).toBe('bun');
    expect(report.transports).toEqual(['bunTransport']);
    expect(report.dials).toBe(2);
  });

  it('package - Deno (only --allow-net): the deno condition; every connection through Deno.connect', async () => {
    const report = lastJson(await sh(join(BIN, 'deno'), ['run', '--allow-net', 'check.mjs', await chroot('deno')], app));
    expectExercised(report);
    expect(report.runtime).toBe('deno');
    expect(report.transports).toEqual(['denoTransport']);
    expect(report.dials).toBe(2);
  });

  it("package - workerd: a bundle built with wrangler's conditions runs the Workers entry over cloudflare:sockets, with no compatibility flag", async () => {
    const { build } = await import('esbuild');
    const bundle = await build({
      absWorkingDir: app,
      entryPoints: ['worker.mjs'],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['cloudflare:*'],
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    expect(script).toMatch(/from\s*["']cloudflare:sockets["']/);
    expect(script).not.toMatch(/["']node:/);
    const { Miniflare, convertV4MiniflareOptions } = await import('miniflare');
    // A compatibility date before nodejs_compat became the default, and no flag: no node:* module exists.
    const mf = new Miniflare(convertV4MiniflareOptions({ modules: true, script, compatibilityDate: '2025-06-01' }));
    try {
      const connectString = await chroot('workerd');
      const response = await mf.dispatchFetch(`http://worker/?connect=${encodeURIComponent(connectString)}`);
      const report = (await response.json()) as Report;
      expectExercised(report);
      expect(report.runtime).toBe('Cloudflare-Workers');
      expect(report.transports).toEqual(['workerdTransport']);
    } finally {
      await mf.dispose();
    }
  });
});

/** A consumer's code and tsconfig; `tsc -p` in the scratch project, against node_modules/zkts. */
const CONSUMERS = {
  node16: {
    compilerOptions: { module: 'node16', moduleResolution: 'node16', types: ['node'] },
    code: `
import { AcquireTimeoutError, type ConnectOptions, NoNodeError, PersistentWatch, type Stat, ZooKeeperError, ZooKeeper, connect, nodeTransport } from 'zkts';
import { bunTransport } from 'zkts/bun';
import { denoTransport } from 'zkts/deno';
import { workerdTransport } from 'zkts/workers';
import { Lease, Leadership, Mutex, ReadWriteLockSide, SharedLease } from 'zkts/recipes';
import { ErrorCode, FrameSplitter } from 'zkts/protocol';

export async function main(hosts: string): Promise<bigint> {
  const options: ConnectOptions = { sessionTimeout: 10_000, transport: nodeTransport };
  const zk: ZooKeeper = await connect(hosts, options);
  try {
    const stat: Stat | null = await zk.exists('/x');
    await zk.getData('/missing').catch((err: unknown) => {
      if (err instanceof NoNodeError) {
        const code: string = err.code;
        return code;
      }
      throw err;
    });
    const lease: Lease = await new Mutex(zk, '/lock').acquire({ timeout: 1_000 }).catch((err: unknown) => {
      if (err instanceof AcquireTimeoutError && err instanceof ZooKeeperError) throw new Error('busy', { cause: err });
      throw err;
    });
    const signal: AbortSignal = lease.signal;
    await lease.guard([]);
    await lease.release();
    void [stat, signal, bunTransport, denoTransport, workerdTransport, ErrorCode.NONODE, new FrameSplitter()];
    return lease.fencingToken;
  } finally {
    await zk.close();
  }
}
// @ts-expect-error a number is no connect string: the declarations are real, not \`any\`
void connect(2181);
// @ts-expect-error a client comes from connect(): its constructor is private
void new ZooKeeper();
// @ts-expect-error a lease comes from a recipe's acquire(): its constructor is not for users
void new Lease();
// @ts-expect-error nor is a leadership's (it is a Lease)
void new Leadership();
// @ts-expect-error a shared lease comes from SharedMutex.acquire()
void new SharedLease();
// @ts-expect-error a lock side comes from ReadWriteLock's readLock() / writeLock()
void new ReadWriteLockSide();
// @ts-expect-error a persistent watch comes from addWatch()
void new PersistentWatch();
`,
  },
  bundler: {
    compilerOptions: { module: 'preserve', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] },
    code: `
import { type ZooKeeper, ZooKeeperError, connect } from 'zkts';
import { Mutex } from 'zkts/recipes';

export async function main(hosts: string): Promise<bigint> {
  const zk: ZooKeeper = await connect(hosts);
  const lease = await new Mutex(zk, '/lock').acquire();
  await lease.release().catch((err: unknown) => (err instanceof ZooKeeperError ? undefined : Promise.reject(err)));
  return lease.fencingToken;
}
// @ts-expect-error the neutral entry (no runtime condition) has no default transport to export
export { nodeTransport } from 'zkts';
`,
  },
  'bundler-workerd': {
    compilerOptions: { module: 'preserve', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [], customConditions: ['workerd'] },
    code: `
import { connect, workerdTransport } from 'zkts';
import { Mutex } from 'zkts/recipes';

export async function main(hosts: string): Promise<bigint> {
  const zk = await connect(hosts, { transport: workerdTransport });
  const lease = await new Mutex(zk, '/lock').acquire();
  await lease.release();
  return lease.fencingToken;
}
`,
  },
} as const;

describe('package - TypeScript consumers type-check against the shipped declarations', () => {
  for (const [name, { compilerOptions, code }] of Object.entries(CONSUMERS)) {
    it(`package - ${name}`, async () => {
      const dir = join(app, `ts-${name}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'consumer.ts'), code);
      const tsconfig = {
        compilerOptions: {
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          ...compilerOptions,
        },
        files: ['consumer.ts'],
      };
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
      await sh(NODE, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
    });
  }
});
