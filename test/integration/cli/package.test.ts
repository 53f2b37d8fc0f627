/**
 * The `zkts` bin from an installed package, as a user gets it: the package is built (tsc with
 * tsconfig.build.json into a copy, so the checkout's dist/ is untouched), packed with `npm pack`,
 * installed with `npm i -g --prefix <tmp>` (offline: zkts has no dependencies), and `<tmp>/bin/zkts`
 * runs --help, `get` against the shared server, a `lock` (its watchdog must be found in dist/), and
 * `bench`, which says in one line that the benchmark is not in the package.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { type ZooKeeper, connect } from '../../../src/entry/node.js';
import { REPO_ROOT } from '../../support/cli.js';
import { type TestChroot, createChroot, scaled } from '../../support/zookeeper/index.js';

let chroot: TestChroot;
let zk: ZooKeeper;
let dir: string;
let bin: string;

const run = promisify(execFile);

async function sh(file: string, args: string[], cwd: string): Promise<void> {
  await run(file, args, { cwd, encoding: 'utf8', timeout: scaled(180_000) });
}

beforeAll(async () => {
  chroot = await createChroot(inject('zkConnect'), 'cli-package', { superUser: inject('zkHarness') });
  zk = await connect(chroot.connectString, { sessionTimeout: 10_000, connectTimeout: scaled(10_000) });
  dir = mkdtempSync(join(tmpdir(), 'zkts-cli-package-'));
  const pkg = join(dir, 'pkg');
  mkdirSync(pkg);
  for (const f of ['package.json', 'README.md', 'LICENSE']) if (existsSync(join(REPO_ROOT, f))) cpSync(join(REPO_ROOT, f), join(pkg, f));
  cpSync(join(REPO_ROOT, 'src'), join(pkg, 'src'), { recursive: true });
  await sh(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(pkg, 'dist')],
    REPO_ROOT,
  );
  // Built above: no prepack build here (the copy has no node_modules, so `npm run build` could not run).
  await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], pkg);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  await sh(
    'npm',
    ['install', '--global', '--prefix', join(dir, 'prefix'), '--offline', '--no-audit', '--no-fund', join(dir, tarball!)],
    dir,
  );
  bin = join(dir, 'prefix', 'bin', 'zkts');
}, scaled(300_000));

afterAll(async () => {
  await zk?.close();
  await chroot?.cleanup();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function zkts(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ZK_CONNECT: chroot.connectString },
      timeout: scaled(30_000),
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number | string; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

it('installs a working zkts bin from the packed tarball', async () => {
  const help = await zkts(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^zkts: /);
  expect(help.stdout).toMatch(/Exit codes:/);

  expect(await zkts(['get', '/'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  await zk.create('/installed', 'from the package');
  expect(await zkts(['get', '/installed'])).toMatchObject({ code: 0, stdout: 'from the package\n' });
  expect(await zkts(['get', '/missing'])).toMatchObject({ code: 1, stderr: 'zkts get: NONODE: /missing\n' });

  const locked = await zkts(['lock', '/pkg-lock', '--', 'sh', '-c', 'echo "token $ZKTS_FENCING_TOKEN"']);
  expect(locked.code).toBe(0);
  expect(locked.stdout).toMatch(/^token \d+\n$/);

  expect(await zkts(['bench'])).toMatchObject({
    code: 2,
    stderr:
      'zkts bench: the lock benchmark is not part of the installed package: run it from a source checkout of zkts (npm ci && npm run bench)\n',
  });
});
