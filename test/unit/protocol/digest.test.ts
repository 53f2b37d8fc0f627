/** The digest scheme's id (as DigestAuthenticationProvider.generateDigest makes it) and auth bytes. */
import { describe, expect, it } from 'vitest';
import { Perms, digestACL, digestAuth, digestId } from '../../../src/protocol/index.js';

describe('digest - ids', () => {
  it('digest - alice:secret hashes to the id the server computes', async () => {
    expect(await digestId('alice', 'secret')).toBe('alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=');
  });

  it('digest - the hash covers the whole user:password string, colons in the password included', async () => {
    const a = await digestId('bob', 'x:y');
    const b = await digestId('bob:x', 'y');
    expect(a.slice(a.indexOf(':') + 1)).toBe(b.slice(b.indexOf(':', 4) + 1));
    expect(a).toMatch(/^bob:[A-Za-z0-9+/]{27}=$/);
    expect(await digestId('bob', 'other')).not.toBe(a);
  });

  it('digest - non-ASCII credentials hash their UTF-8 bytes', async () => {
    expect(await digestId('zoë', 'пароль')).toMatch(/^zoë:[A-Za-z0-9+/]{27}=$/);
    expect(await digestId('zoë', 'пароль')).not.toBe(await digestId('zoe', 'пароль'));
  });

  it('digest - the auth packet carries UTF-8 user:password', () => {
    expect(new TextDecoder().decode(digestAuth('alice', 'secret'))).toBe('alice:secret');
    expect([...digestAuth('é', '')]).toEqual([0xc3, 0xa9, 0x3a]);
  });

  it('digest - digestACL builds a digest entry with ALL unless perms are given', async () => {
    expect(await digestACL('alice', 'secret')).toEqual({
      perms: Perms.ALL,
      id: { scheme: 'digest', id: 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=' },
    });
    expect((await digestACL('alice', 'secret', Perms.READ)).perms).toBe(1);
  });
});
