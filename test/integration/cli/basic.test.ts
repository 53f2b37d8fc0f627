/**
 * The basic zkts commands against the shared server, each run as its own process (`node --import tsx
 * src/cli/main.ts`), through a chroot given in ZK_CONNECT: get/set/create/delete/ls/stat/acl/whoami/watch,
 * human output and --json (which must parse), binary data shown safely and --raw bytes intact, and
 * each command's error path as one stderr line with ZooKeeper's code name and its documented exit code.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CreateMode, type ZooKeeper, connect } from '../../../src/entry/node.js';
import { CliRunner, exited, stderrMatches } from '../../support/cli.js';
import { waitFor } from '../../support/zookeeper/wait.js';
import { type TestChroot, createChroot, scaled } from '../../support/zookeeper/index.js';

// Every zkts run starts Node with tsx (about a second, several on a loaded machine): roomier bounds.
vi.setConfig({ testTimeout: scaled(180_000) });

let chroot: TestChroot;
let zk: ZooKeeper;
let cli: CliRunner;

beforeAll(async () => {
  chroot = await createChroot(inject('zkConnect'), 'cli-basic', { superUser: inject('zkHarness') });
  zk = await connect(chroot.connectString, { sessionTimeout: 10_000, connectTimeout: scaled(10_000) });
  cli = new CliRunner({ ZK_CONNECT: chroot.connectString, ZKTS_AUTH: undefined });
});

afterEach(() => cli.killAll());

afterAll(async () => {
  await zk?.close();
  await chroot?.cleanup();
});

const json = (text: string): unknown => JSON.parse(text);

describe('zkts get, set, create', () => {
  it('creates a node, reads it back as text and as JSON, and sets it with and without a matching version', async () => {
    const created = await cli.run(['create', '/cfg', 'v1']);
    expect(created).toMatchObject({ code: 0, stdout: '/cfg\n', stderr: '' });
    expect(await cli.run(['get', '/cfg'])).toMatchObject({ code: 0, stdout: 'v1\n', stderr: '' });

    const got = json((await cli.run(['get', '/cfg', '--json'])).stdout) as Record<string, unknown>;
    const { stat } = await zk.getData('/cfg');
    expect(got).toMatchObject({ path: '/cfg', data: 'v1', encoding: 'utf8' });
    expect(got['stat']).toMatchObject({ czxid: stat.czxid.toString(), version: 0, dataLength: 2, ephemeralOwner: null });

    expect(await cli.run(['set', '/cfg', 'v2', '--version', '0'])).toMatchObject({ code: 0, stdout: 'version 1\n' });
    const stale = await cli.run(['set', '/cfg', 'v3', '--version', '0']);
    expect(stale).toMatchObject({ code: 1, stdout: '', stderr: 'zkts set: BADVERSION: /cfg\n' });
    expect(new TextDecoder().decode((await zk.getData('/cfg')).data!)).toBe('v2');
    const setJson = json((await cli.run(['set', '/cfg', 'v4', '--json'])).stdout) as { stat: { version: number } };
    expect(setJson.stat.version).toBe(2);
  });

  it('fails with NONODE and NODEEXISTS as one line each, exit 1', async () => {
    expect(await cli.run(['get', '/missing/node'])).toMatchObject({ code: 1, stdout: '', stderr: 'zkts get: NONODE: /missing/node\n' });
    await zk.create('/dup');
    expect(await cli.run(['create', '/dup'])).toMatchObject({ code: 1, stderr: 'zkts create: NODEEXISTS: /dup\n' });
    expect(await cli.run(['set', '/nope', 'x'])).toMatchObject({ code: 1, stderr: 'zkts set: NONODE: /nope\n' });
    expect(await cli.run(['create', '/no/parent'])).toMatchObject({ code: 1, stderr: 'zkts create: NONODE: /no/parent\n' });
    const bad = await cli.run(['get', 'relative']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^zkts get: INVALIDARGUMENT: [^\n]*\n$/);
  });

  it('shows binary data safely: base64 or escaped with a note, raw bytes with --raw, base64 in JSON', async () => {
    const binary = new Uint8Array([0xff, 0x00, 0xfe, 0x41]);
    const viaStdin = await cli.run(['create', '/bin', '--file', '-'], { input: binary });
    expect(viaStdin.code).toBe(0);
    expect((await zk.getData('/bin')).data).toEqual(binary);

    const human = await cli.run(['get', '/bin']);
    expect(human).toMatchObject({ code: 0, stdout: '/wD+QQ==\n' });
    expect(human.stderr).toMatch(/^zkts get: note: \/bin holds 4 bytes that are not UTF-8: shown as base64/);

    const raw = cli.start(['get', '/bin', '--raw']);
    raw.input('');
    expect(await exited(raw, 30_000)).toMatchObject({ code: 0, stderr: '' });
    expect(raw.stdoutBytes()).toEqual(binary);

    expect(json((await cli.run(['get', '/bin', '--json'])).stdout)).toMatchObject({ data: '/wD+QQ==', encoding: 'base64' });

    await zk.create('/ansi', 'red \x1b[31m!');
    const escaped = await cli.run(['get', '/ansi']);
    expect(escaped.stdout).toBe('red \\x1b[31m!\n');
    expect(escaped.stderr).toMatch(/control characters: shown escaped/);
  });

  it('creates with --parents and in every mode: sequential, ephemeral, container, ttl', async () => {
    expect(await cli.run(['create', '/deep/a/b', 'x', '--parents'])).toMatchObject({ code: 0, stdout: '/deep/a/b\n' });
    expect(await zk.getChildren('/deep/a')).toEqual(['b']);

    const seq = await cli.run(['create', '/deep/job-', '--mode', 'sequential']);
    expect(seq.stdout).toMatch(/^\/deep\/job-\d{10}\n$/);
    expect(await zk.exists(seq.stdout.trim())).not.toBeNull();

    // An ephemeral node lives as long as zkts's session, which ends as zkts exits.
    const eph = await cli.run(['create', '/deep/eph', '--mode', 'ephemeral', '--json']);
    expect(json(eph.stdout)).toEqual({ path: '/deep/eph' });
    expect(await zk.exists('/deep/eph')).toBeNull();

    expect(await cli.run(['create', '/deep/box', '--mode', 'container'])).toMatchObject({ code: 0, stdout: '/deep/box\n' });
    expect(await zk.exists('/deep/box')).not.toBeNull();
    const ttl = await cli.run(['create', '/deep/ttl', 'x', '--ttl', '60000']);
    expect(ttl).toMatchObject({ code: 0, stdout: '/deep/ttl\n' });
    expect(await zk.exists('/deep/ttl')).not.toBeNull();

    expect((await cli.run(['create', '/deep/x', '--mode', 'ttl'])).code).toBe(2);
    expect((await cli.run(['create', '/deep/x', '--mode', 'forever'])).code).toBe(2);
  });
});

describe('zkts ls, stat, delete', () => {
  it('lists children sorted, the subtree with -R, and both as JSON', async () => {
    await zk.create('/tree');
    await zk.create('/tree/b');
    await zk.create('/tree/a');
    await zk.create('/tree/a/x');
    expect(await cli.run(['ls', '/tree'])).toMatchObject({ code: 0, stdout: 'a\nb\n' });
    expect(await cli.run(['ls', '-R', '/tree'])).toMatchObject({ code: 0, stdout: '/tree/a\n/tree/a/x\n/tree/b\n' });
    expect(json((await cli.run(['ls', '/tree', '--json'])).stdout)).toEqual({ path: '/tree', children: ['a', 'b'] });
    expect(json((await cli.run(['ls', '/tree', '-R', '--json'])).stdout)).toEqual({
      path: '/tree',
      nodes: ['/tree/a', '/tree/a/x', '/tree/b'],
    });
    expect(await cli.run(['ls', '/absent'])).toMatchObject({ code: 1, stderr: 'zkts ls: NONODE: /absent\n' });
  });

  it("prints a node's Stat, as text and JSON, and NONODE for a missing node", async () => {
    await zk.create('/st', 'abc');
    const { stat } = await zk.getData('/st');
    const text = await cli.run(['stat', '/st']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`cZxid = ${stat.czxid} (0x${stat.czxid.toString(16)})`);
    expect(text.stdout).toContain('dataLength = 3');
    const parsed = json((await cli.run(['stat', '/st', '--json'])).stdout) as { stat: Record<string, unknown> };
    expect(parsed.stat).toMatchObject({ czxid: stat.czxid.toString(), mzxid: stat.mzxid.toString(), dataLength: 3, numChildren: 0 });
    expect(await cli.run(['stat', '/st/none'])).toMatchObject({ code: 1, stderr: 'zkts stat: NONODE: /st/none\n' });
  });

  it('deletes a node, refuses NOTEMPTY, refuses --recursive without --yes, and deletes a subtree with it', async () => {
    await zk.create('/del');
    await zk.create('/del/a');
    await zk.create('/del/a/b');
    await zk.create('/single', 'x');
    expect(await cli.run(['delete', '/single', '--version', '3'])).toMatchObject({ code: 1, stderr: 'zkts delete: BADVERSION: /single\n' });
    expect(await cli.run(['delete', '/single'])).toMatchObject({ code: 0, stdout: '' });
    expect(await zk.exists('/single')).toBeNull();

    expect(await cli.run(['delete', '/del'])).toMatchObject({ code: 1, stderr: 'zkts delete: NOTEMPTY: /del\n' });
    const unconfirmed = await cli.run(['delete', '/del', '--recursive']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toBe(
      'zkts delete: refusing to delete /del and everything below it without --yes (zkts delete --help shows the usage)\n',
    );
    expect(await zk.exists('/del/a/b')).not.toBeNull();

    expect(json((await cli.run(['delete', '/del', '-r', '--yes', '--json'])).stdout)).toEqual({ path: '/del', deleted: 3 });
    expect(await zk.exists('/del')).toBeNull();
    expect(await cli.run(['delete', '/del', '-ry'])).toMatchObject({ code: 1, stderr: 'zkts delete: NONODE: /del\n' });
  });
});

describe('zkts acl, whoami', () => {
  it('reads and replaces ACLs; a read-only ACL then refuses writes with NOAUTH', async () => {
    await zk.create('/guarded', 'x');
    expect(await cli.run(['acl', 'get', '/guarded'])).toMatchObject({ code: 0, stdout: 'world:anyone:cdrwa\n' });
    expect(await cli.run(['acl', 'set', '/guarded', 'world:anyone:r', '--version', '0'])).toMatchObject({
      code: 0,
      stdout: 'aclVersion 1\n',
    });
    expect(json((await cli.run(['acl', 'get', '/guarded', '--json'])).stdout)).toEqual({
      path: '/guarded',
      acl: [{ scheme: 'world', id: 'anyone', perms: 'r', mask: 1 }],
      aclVersion: 1,
    });
    expect(await cli.run(['set', '/guarded', 'y'])).toMatchObject({ code: 1, stderr: 'zkts set: NOAUTH: /guarded\n' });
    const bad = await cli.run(['acl', 'set', '/guarded', 'world:anyone:rz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad ACL entry "world:anyone:rz"/);
    expect(await cli.run(['acl', 'get', '/nothing'])).toMatchObject({ code: 1, stderr: 'zkts acl: NONODE: /nothing\n' });
  });

  it('authenticates with --auth or ZKTS_AUTH (digest) and never prints the password', async () => {
    const plain = await cli.run(['whoami']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^ip 127\.0\.0\.1$/m);
    const viaFlag = await cli.run(['whoami', '--json', '--auth', 'alice:s3cret-pw']);
    expect(json(viaFlag.stdout)).toContainEqual({ scheme: 'digest', user: 'alice' });
    const viaEnv = await cli.run(['whoami'], { env: { ZKTS_AUTH: 'bob:an0ther-pw' } });
    expect(viaEnv.stdout).toMatch(/^digest bob$/m);
    for (const r of [viaFlag, viaEnv]) expect(r.stdout + r.stderr).not.toMatch(/s3cret|an0ther/);
    const malformed = await cli.run(['whoami', '--auth', 'no-colon-s3cret']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).not.toContain('s3cret');
  });
});

describe('zkts watch', () => {
  it('streams events as JSON lines until SIGINT, then exits 0', async () => {
    await zk.create('/watched', 'a');
    const watch = cli.start(['watch', '/watched', '--json']);
    await stderrMatches(watch, /watching \/watched/, 30_000);
    await zk.setData('/watched', 'b');
    await zk.create('/watched/kid');
    const lines = await waitFor(
      () => {
        const l = watch.stdout().split('\n').filter(Boolean);
        return l.length >= 2 ? l : undefined;
      },
      { timeoutMs: scaled(10_000), what: 'two watch events', detail: () => watch.stdout() },
    );
    expect(lines.map((l) => json(l))).toEqual([
      { type: 'NodeDataChanged', path: '/watched' },
      { type: 'NodeChildrenChanged', path: '/watched' },
    ]);
    watch.child.kill('SIGINT');
    expect((await exited(watch, 15_000)).code).toBe(0);
  });

  it('with --recursive reports changes anywhere below, one human line each', async () => {
    await zk.create('/rw');
    await zk.create('/rw/a');
    const watch = cli.start(['watch', '--recursive', '/rw']);
    await stderrMatches(watch, /watching \/rw and everything below it/, 30_000);
    await zk.create('/rw/a/deep', 'x', { mode: CreateMode.PERSISTENT });
    await zk.setData('/rw/a/deep', 'y');
    await zk.delete('/rw/a/deep');
    await waitFor(() => (watch.stdout().split('\n').filter(Boolean).length >= 3 ? true : undefined), {
      timeoutMs: scaled(10_000),
      what: 'three recursive watch events',
      detail: () => watch.stdout(),
    });
    expect(watch.stdout()).toBe('NodeCreated /rw/a/deep\nNodeDataChanged /rw/a/deep\nNodeDeleted /rw/a/deep\n');
    watch.child.kill('SIGTERM');
    expect((await exited(watch, 15_000)).code).toBe(0);
  });
});

describe('usage and connection errors', () => {
  it('exits 2 for an unknown command or option, and 3 when no server answers', async () => {
    const unknown = await cli.run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('zkts: unknown command "frobnicate" (zkts --help lists them)\n');
    expect(await cli.run(['get', '/', '--bogus'])).toMatchObject({
      code: 2,
      stderr: 'zkts get: unknown option --bogus (zkts get --help shows the usage)\n',
    });
    // Port 1 on loopback: refused at once; zkts gives up after the connect timeout (= session timeout).
    const down = await cli.run(['get', '/', '--connect', '127.0.0.1:1', '--session-timeout', '1500']);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^zkts get: NOHOSTS: /);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints --help for every command and --version', async () => {
    const help = await cli.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n/);
    expect(await cli.run(['get', '--help'])).toMatchObject({ code: 0 });
    expect((await cli.run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
    // From this checkout bench runs bench/lock/main.ts: zkts's page, then the benchmark's own options.
    const bench = await cli.run(['bench', '--help']);
    expect(bench.code).toBe(0);
    expect(bench.stdout).toMatch(/NOT part of the published package/);
    expect(bench.stdout).toMatch(/^Lock benchmark: /m);
  });
});
