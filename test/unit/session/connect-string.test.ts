/**
 * Connect strings as ZooKeeper's ConnectStringParser reads them: hosts, the default port, bracketed IPv6, the
 * chroot suffix, and the malformed inputs that must fail before anything connects.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { parseConnectString } from '../../../src/session/connect-string.js';

describe('connect string', () => {
  it('connect string - several hosts keep their order and ports', () => {
    expect(parseConnectString('zk1:2181,zk2:2182,10.0.0.3:2183')).toEqual({
      hosts: [
        { host: 'zk1', port: 2181 },
        { host: 'zk2', port: 2182 },
        { host: '10.0.0.3', port: 2183 },
      ],
      chroot: '',
    });
  });

  it('connect string - a host without a port gets 2181', () => {
    expect(parseConnectString('localhost').hosts).toEqual([{ host: 'localhost', port: 2181 }]);
    expect(parseConnectString('a,b:3000').hosts).toEqual([
      { host: 'a', port: 2181 },
      { host: 'b', port: 3000 },
    ]);
  });

  it('connect string - IPv6 addresses go in brackets, with or without a port', () => {
    expect(parseConnectString('[::1]:2182,[fe80::1%eth0]').hosts).toEqual([
      { host: '::1', port: 2182 },
      { host: 'fe80::1%eth0', port: 2181 },
    ]);
  });

  it('connect string - blanks around entries and empty entries are ignored', () => {
    expect(parseConnectString(' a:1 , ,b:2 ').hosts).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
  });

  it('connect string - the chroot is everything from the first "/"', () => {
    expect(parseConnectString('a:1,b:2/app')).toEqual({
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ],
      chroot: '/app',
    });
    expect(parseConnectString('a/app/sub').chroot).toBe('/app/sub');
    expect(parseConnectString('[::1]:5/x').chroot).toBe('/x');
  });

  it('connect string - "/" alone means no chroot', () => {
    expect(parseConnectString('a:1/').chroot).toBe('');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['only commas', ',,'],
    ['only a chroot', '/app'],
    ['bare IPv6', '::1'],
    ['bare IPv6 with port', 'fe80::1:2181'],
    ['unclosed bracket', '[::1:2181'],
    ['junk after bracket', '[::1]2181'],
    ['empty host', ':2181'],
    ['empty brackets', '[]:2181'],
    ['port 0', 'a:0'],
    ['port too large', 'a:65536'],
    ['port not a number', 'a:http'],
    ['port with sign', 'a:+80'],
    ['empty port', 'a:'],
    ['chroot with trailing slash', 'a:1/app/'],
    ['chroot with empty segment', 'a:1/app//x'],
    ['chroot with relative segment', 'a:1/app/..'],
  ])('connect string - rejects %s: %j', (_what, input) => {
    expect(() => parseConnectString(input)).toThrow(InvalidArgumentError);
  });
});
