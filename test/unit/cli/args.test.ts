/**
 * zkts's argument parsing: long and short options, values inline or separate, repeated lists, `--`
 * handing CMD over untouched, the command found past global options, and usage errors (exit 2) for
 * unknown options, missing values, bad integers and wrong positional counts. Also the connection
 * options: ZK_CONNECT and ZKTS_AUTH as defaults, and credentials never echoed in an error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type OptionSpec, intOption, mergeArgs, parseArgs, positionals } from '../../../src/cli/args.js';
import { CONNECTION_OPTIONS, DEFAULT_CONNECT, connectionSettings } from '../../../src/cli/connection.js';
import { createMode } from '../../../src/cli/commands/create.js';
import { ExitCode, UsageError } from '../../../src/cli/exit-codes.js';
import { CreateMode } from '../../../src/entry/node.js';

const SPECS: OptionSpec[] = [
  { name: 'json', kind: 'flag', help: '' },
  { name: 'recursive', short: 'R', kind: 'flag', help: '' },
  { name: 'yes', short: 'y', kind: 'flag', help: '' },
  { name: 'timeout', short: 't', kind: 'value', help: '', arg: 'MS' },
  { name: 'tag', kind: 'list', help: '' },
];

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.USAGE);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseArgs', () => {
  it('reads flags, values (separate and inline), short aliases and clusters, anywhere among positionals', () => {
    const a = parseArgs(['/a', '--timeout', '50', '-Ry', 'x', '--json', '--tag=1', '--tag', '2'], SPECS);
    expect(a.positionals).toEqual(['/a', 'x']);
    expect([...a.flags].sort()).toEqual(['json', 'recursive', 'yes']);
    expect(a.values.get('timeout')).toBe('50');
    expect(a.lists.get('tag')).toEqual(['1', '2']);
    expect(a.rest).toBeUndefined();
    expect(parseArgs(['--timeout=7', '-t', '8'].slice(0, 1), SPECS).values.get('timeout')).toBe('7');
    expect(parseArgs(['-t', '8'], SPECS).values.get('timeout')).toBe('8');
  });

  it('hands everything after -- over untouched, options included', () => {
    const a = parseArgs(['/lock', '--timeout', '5', '--', 'sh', '-c', 'echo --json', '--', '-R'], SPECS);
    expect(a.positionals).toEqual(['/lock']);
    expect(a.rest).toEqual(['sh', '-c', 'echo --json', '--', '-R']);
    expect(a.flags.has('json')).toBe(false);
    expect(parseArgs(['--'], SPECS).rest).toEqual([]);
  });

  it('takes a negative number as a positional, not as an option', () => {
    expect(parseArgs(['/a', '-1'], SPECS).positionals).toEqual(['/a', '-1']);
    expect(parseArgs(['--timeout', '-1'], SPECS).values.get('timeout')).toBe('-1');
  });

  it('stops at the first positional when asked (finding the command past global options)', () => {
    const a = parseArgs(['--json', '--timeout', '3', 'get', '/a', '--recursive'], SPECS, true);
    expect(a.positionals).toEqual(['get']);
    expect(a.remaining).toEqual(['/a', '--recursive']);
    const b = parseArgs(a.remaining, SPECS);
    const merged = mergeArgs({ ...a, positionals: [] }, b);
    expect(merged.positionals).toEqual(['/a']);
    expect([...merged.flags].sort()).toEqual(['json', 'recursive']);
    expect(merged.values.get('timeout')).toBe('3');
  });

  it('refuses unknown options, missing values, values on flags, and an option given twice', () => {
    expect(usageError(() => parseArgs(['--nope'], SPECS)).message).toBe('unknown option --nope');
    expect(usageError(() => parseArgs(['-x'], SPECS)).message).toBe('unknown option -x');
    expect(usageError(() => parseArgs(['--timeout'], SPECS)).message).toBe('--timeout needs a value (MS)');
    expect(usageError(() => parseArgs(['--json=1'], SPECS)).message).toBe('--json takes no value');
    expect(usageError(() => parseArgs(['-tR', '5'], SPECS)).message).toMatch(/must come last/);
    expect(usageError(() => parseArgs(['--timeout', '1', '--timeout', '2'], SPECS)).message).toBe('--timeout given twice');
    const a = parseArgs(['--timeout', '1'], SPECS);
    expect(() => mergeArgs(a, a)).toThrow(UsageError);
  });
});

describe('intOption and positionals', () => {
  it('parses integers within bounds and falls back when absent', () => {
    expect(intOption(parseArgs(['--timeout', '250'], SPECS), 'timeout', 10)).toBe(250);
    expect(intOption(parseArgs([], SPECS), 'timeout', 10)).toBe(10);
    expect(intOption(parseArgs([], SPECS), 'timeout', undefined)).toBeUndefined();
    expect(usageError(() => intOption(parseArgs(['--timeout', '1.5'], SPECS), 'timeout', 0)).message).toMatch(/integer/);
    expect(usageError(() => intOption(parseArgs(['--timeout', 'soon'], SPECS), 'timeout', 0)).message).toMatch(/integer/);
    expect(usageError(() => intOption(parseArgs(['--timeout', '-1'], SPECS), 'timeout', 0, 0)).message).toMatch(/between 0/);
  });

  it('checks the number of positionals, with optional trailing ones', () => {
    expect(positionals(parseArgs(['/a'], SPECS), ['PATH', 'DATA'], 1)).toEqual(['/a', undefined]);
    expect(usageError(() => positionals(parseArgs([], SPECS), ['PATH'])).message).toBe('missing PATH');
    expect(usageError(() => positionals(parseArgs(['/a', 'b'], SPECS), ['PATH'])).message).toBe('unexpected argument "b"');
  });
});

describe('connection options', () => {
  const parse = (argv: string[]) => parseArgs(argv, CONNECTION_OPTIONS);

  it('takes --connect over ZK_CONNECT over the default, and the session timeout', () => {
    expect(connectionSettings(parse([]), {}).connectString).toBe(DEFAULT_CONNECT);
    expect(connectionSettings(parse([]), { ZK_CONNECT: 'zk1:2181/app' }).connectString).toBe('zk1:2181/app');
    const s = connectionSettings(parse(['--connect', 'a:1,b:2', '--session-timeout', '4000']), { ZK_CONNECT: 'zk1:2181' });
    expect(s.connectString).toBe('a:1,b:2');
    expect(s.options.sessionTimeout).toBe(4000);
    expect(s.options.auth).toBeUndefined();
    expect(s.options.tls).toBeUndefined();
  });

  it('takes digest credentials from --auth or ZKTS_AUTH, and never echoes them in an error', () => {
    expect(connectionSettings(parse(['--auth', 'alice:secret']), {}).options.auth).toEqual([{ scheme: 'digest', auth: 'alice:secret' }]);
    expect(connectionSettings(parse([]), { ZKTS_AUTH: 'bob:pw' }).options.auth).toEqual([{ scheme: 'digest', auth: 'bob:pw' }]);
    const err = usageError(() => connectionSettings(parse(['--auth', 'hunter2']), {}));
    expect(err.message).not.toContain('hunter2');
  });

  it('turns --tls into the client tls option, and wants --tls-cert and --tls-key together', () => {
    expect(connectionSettings(parse(['--tls']), {}).options.tls).toBe(true);
    expect(usageError(() => connectionSettings(parse(['--tls-cert', '/x.pem']), {})).message).toMatch(/together/);
    expect(usageError(() => connectionSettings(parse(['--tls-ca', '/nonexistent/ca.pem']), {})).message).toMatch(/cannot read/);
  });

  it('reads --tls-ca, --tls-cert and --tls-key files into the tls option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkts-cli-tls-'));
    try {
      for (const f of ['ca', 'cert', 'key']) writeFileSync(join(dir, `${f}.pem`), `-----BEGIN ${f}-----\n`);
      const s = connectionSettings(
        parse(['--tls-ca', join(dir, 'ca.pem'), '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]),
        {},
      );
      expect(s.options.tls).toEqual({ ca: '-----BEGIN ca-----\n', cert: '-----BEGIN cert-----\n', key: '-----BEGIN key-----\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('create modes', () => {
  const mode = (argv: string[]) =>
    createMode(
      parseArgs(argv, [
        { name: 'mode', kind: 'value', help: '' },
        { name: 'ttl', kind: 'value', help: '' },
      ]),
    );

  it('maps the mode names, and --ttl alone to a TTL node', () => {
    expect(mode([])).toEqual({ mode: CreateMode.PERSISTENT, ttl: undefined });
    expect(mode(['--mode', 'ephemeral-sequential']).mode).toBe(CreateMode.EPHEMERAL_SEQUENTIAL);
    expect(mode(['--mode', 'sequential']).mode).toBe(CreateMode.PERSISTENT_SEQUENTIAL);
    expect(mode(['--mode', 'container']).mode).toBe(CreateMode.CONTAINER);
    expect(mode(['--ttl', '500'])).toEqual({ mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 500 });
    expect(mode(['--mode', 'ttl-sequential', '--ttl', '9'])).toEqual({ mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 9 });
  });

  it('refuses an unknown mode, a ttl mode without --ttl, and --ttl with another mode', () => {
    expect(usageError(() => mode(['--mode', 'forever'])).message).toMatch(/unknown --mode/);
    expect(usageError(() => mode(['--mode', 'ttl'])).message).toMatch(/needs --ttl/);
    expect(usageError(() => mode(['--mode', 'ephemeral', '--ttl', '5'])).message).toMatch(/applies only/);
  });
});
