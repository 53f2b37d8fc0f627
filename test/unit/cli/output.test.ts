/**
 * zkts's output formatting: node data shown safely (UTF-8 as is, control characters escaped, other bytes
 * as base64), JSON that keeps 64-bit numbers exact, Stat and ACL in zkCli's terms and back, the one-line
 * error format with ZooKeeper's code names and its exit codes, and --help naming every command and the
 * exit-code table.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../src/cli/errors.js';
import { CliError, EXIT_CODE_TABLE, ExitCode, UsageError } from '../../../src/cli/exit-codes.js';
import { commandHelp, mainHelp } from '../../../src/cli/help.js';
import { CONNECTION_OPTIONS } from '../../../src/cli/connection.js';
import {
  aclJson,
  aclText,
  jsonData,
  parseAcl,
  parsePerms,
  permsText,
  showData,
  statJson,
  statText,
  toBase64,
  toJson,
} from '../../../src/cli/output.js';
import { COMMANDS } from '../../../src/cli/zkts.js';
import {
  AcquireTimeoutError,
  InvalidArgumentError,
  NoHostsError,
  NoNodeError,
  Perms,
  SessionExpiredError,
  type Stat,
  ZooKeeperError,
} from '../../../src/entry/node.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

const STAT: Stat = {
  czxid: 0x1_0000_0002n,
  mzxid: 9_007_199_254_740_993n, // 2^53 + 1: not exact as a JSON number
  ctime: 1_700_000_000_000n,
  mtime: 1_700_000_000_500n,
  version: 3,
  cversion: 1,
  aversion: 0,
  ephemeralOwner: 0x10000c07081000fn,
  dataLength: 5,
  numChildren: 2,
  pzxid: 7n,
};

describe('showData', () => {
  it('prints UTF-8 text as it is, tabs and newlines included', () => {
    expect(showData(utf8('héllo\tworld\n✓'))).toEqual({ text: 'héllo\tworld\n✓', encoding: 'utf8' });
  });

  it('escapes terminal control characters in UTF-8 text', () => {
    expect(showData(utf8('red \x1b[31mX\x07 \u009b'))).toEqual({ text: 'red \\x1b[31mX\\x07 \\x9b', encoding: 'escaped' });
    expect(showData(bytes(0x61, 0x00, 0x7f))).toEqual({ text: 'a\\x00\\x7f', encoding: 'escaped' });
  });

  it('shows bytes that are not UTF-8 as base64', () => {
    expect(showData(bytes(0xff, 0xfe, 0x00, 0x80))).toEqual({ text: '//4AgA==', encoding: 'base64' });
  });
});

describe('jsonData and toBase64', () => {
  it('gives UTF-8 as a string, other bytes as base64, and null data as null', () => {
    expect(jsonData(utf8('a\x1bb'))).toEqual({ data: 'a\x1bb', encoding: 'utf8' });
    expect(jsonData(bytes(0xc3))).toEqual({ data: 'ww==', encoding: 'base64' });
    expect(jsonData(null)).toEqual({ data: null, encoding: null });
    expect(JSON.parse(toJson(jsonData(utf8('a\x1bb'))))).toEqual({ data: 'a\x1bb', encoding: 'utf8' });
  });

  it('agrees with Buffer for every length modulo 3', () => {
    for (let n = 0; n < 40; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 0xff);
      expect(toBase64(data)).toBe(Buffer.from(data).toString('base64'));
    }
  });
});

describe('Stat', () => {
  it('as JSON: zxids as exact decimal strings, the owner as 0x hex, times as ms numbers', () => {
    const json = JSON.parse(toJson(statJson(STAT))) as Record<string, unknown>;
    expect(json).toEqual({
      czxid: '4294967298',
      mzxid: '9007199254740993',
      pzxid: '7',
      ctime: 1_700_000_000_000,
      mtime: 1_700_000_000_500,
      version: 3,
      cversion: 1,
      aversion: 0,
      ephemeralOwner: '0x10000c07081000f',
      dataLength: 5,
      numChildren: 2,
    });
    expect(statJson({ ...STAT, ephemeralOwner: 0n })['ephemeralOwner']).toBeNull();
  });

  it("as text: zkCli's names, zxids in decimal and hex, times as ISO dates", () => {
    const text = statText(STAT);
    expect(text).toContain('cZxid = 4294967298 (0x100000002)');
    expect(text).toContain('ctime = 2023-11-14T22:13:20.000Z (1700000000000)');
    expect(text).toContain('dataVersion = 3');
    expect(text).toContain('ephemeralOwner = 0x10000c07081000f');
    expect(text.split('\n')).toHaveLength(11);
  });

  it('toJson writes a stray bigint as a decimal string', () => {
    expect(toJson({ token: 12345678901234567890n })).toBe('{"token":"12345678901234567890"}');
  });
});

describe('ACL text', () => {
  it('prints perms as cdrwa letters and parses them back', () => {
    expect(permsText(Perms.ALL)).toBe('cdrwa');
    expect(permsText(Perms.READ | Perms.WRITE)).toBe('rw');
    expect(parsePerms('rw')).toBe(Perms.READ | Perms.WRITE);
    expect(parsePerms('ar')).toBe(Perms.ADMIN | Perms.READ);
    expect(parsePerms('rx')).toBeUndefined();
  });

  it('parses scheme:id:perms, ids with colons included, and round-trips through aclText', () => {
    const entries = ['world:anyone:cdrwa', 'digest:bob:Rm9vYmFy+/=:rw', 'ip:10.0.0.0/8:r', 'auth::cdrwa', 'ip:::1:r'];
    for (const text of entries) expect(aclText(parseAcl(text)!)).toBe(text);
    expect(parseAcl('digest:bob:Rm9vYmFy+/=:rw')).toEqual({
      perms: Perms.READ | Perms.WRITE,
      id: { scheme: 'digest', id: 'bob:Rm9vYmFy+/=' },
    });
    expect(aclJson(parseAcl('world:anyone:r')!)).toEqual({ scheme: 'world', id: 'anyone', perms: 'r', mask: Perms.READ });
  });

  it('refuses entries without perms, with unknown letters, or without a scheme', () => {
    for (const bad of ['world:anyone', 'world:anyone:', 'world:anyone:rx', ':x:r', 'anyone']) expect(parseAcl(bad)).toBeUndefined();
  });
});

describe('describeFailure', () => {
  it('prints ZooKeeper errors as CODE: path, exit 1', () => {
    expect(describeFailure(new NoNodeError('NONODE for /a/b', { path: '/a/b' }))).toEqual({
      line: 'NONODE: /a/b',
      exitCode: ExitCode.FAILED,
    });
    expect(describeFailure(new AcquireTimeoutError('gave up'))).toEqual({ line: 'ACQUIRETIMEOUT: gave up', exitCode: ExitCode.FAILED });
  });

  it('gives connection and session failures exit 3, bad arguments exit 2', () => {
    expect(describeFailure(new NoHostsError('no server answered')).exitCode).toBe(ExitCode.CONNECTION);
    expect(describeFailure(new SessionExpiredError('SESSIONEXPIRED')).exitCode).toBe(ExitCode.CONNECTION);
    expect(describeFailure(new InvalidArgumentError('bad path "a"')).exitCode).toBe(ExitCode.USAGE);
    expect(describeFailure(new UsageError('missing PATH'))).toEqual({ line: 'missing PATH', exitCode: ExitCode.USAGE });
    expect(describeFailure(new CliError('held', ExitCode.LOCK_BUSY)).exitCode).toBe(75);
  });

  it('keeps any message on one line', () => {
    expect(describeFailure(new Error('first\n  second\n')).line).toBe('first second');
    expect(describeFailure(new ZooKeeperError('a\nb', 'UNKNOWN', -999)).line).toBe('UNKNOWN: a b');
  });
});

describe('--help', () => {
  it('lists every command and the exit-code table', () => {
    const help = mainHelp(COMMANDS, CONNECTION_OPTIONS);
    for (const c of COMMANDS) expect(help).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[()+]/g, '.')}$`, 'm'));
    for (const [code, meaning] of EXIT_CODE_TABLE) expect(help).toContain(`${code.padEnd(5)}  ${meaning}`);
    for (const name of ['connect', 'session-timeout', 'auth', 'tls', 'tls-ca', 'tls-cert', 'tls-key', 'json'])
      expect(help).toContain(`--${name}`);
  });

  it("has a page for every command with its usage and options; bench's says it is not in the package", () => {
    for (const c of COMMANDS) {
      const page = commandHelp(c, CONNECTION_OPTIONS);
      for (const u of c.usage) expect(page).toContain(`zkts ${u}`);
      for (const o of c.options) expect(page).toContain(`--${o.name}`);
      expect(page.includes('Connection options:')).toBe(c.connects);
    }
    expect(
      commandHelp(
        COMMANDS.find((c) => c.name === 'bench')!,
        CONNECTION_OPTIONS,
      ),
    ).toMatch(/NOT part of the published package/);
  });

  it('documents distinct codes for the lock outcomes', () => {
    const codes = [ExitCode.LOCK_BUSY, ExitCode.TIMEOUT, ExitCode.LOST, ExitCode.CANNOT_EXECUTE, ExitCode.NOT_FOUND];
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(EXIT_CODE_TABLE.some(([code]) => code === String(c))).toBe(true);
  });
});

describe('README', () => {
  it('has the same exit-code table as zkts --help', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## Status'));
    const rows = [...section.matchAll(/^\| (\S+) \| (.+) \|$/gm)]
      .map((m) => [m[1]!, m[2]!.replace(/`/g, '')])
      .filter(([c]) => /^(\d+|128\+N|other)$/.test(c!));
    expect(rows.map(([c]) => c)).toEqual(EXIT_CODE_TABLE.map(([c]) => c));
    for (const [code, meaning] of rows) {
      const words = (s: string) =>
        s
          .replace(/[^a-z0-9+ ]/gi, ' ')
          .split(/\s+/)
          .filter(Boolean);
      expect(words(meaning!), `exit code ${code}`).toEqual(words(EXIT_CODE_TABLE.find(([c]) => c === code)![1]));
    }
  });
});
