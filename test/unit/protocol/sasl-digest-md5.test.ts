/**
 * MD5 against RFC 1321's test suite (and node:crypto on random input), and the DIGEST-MD5 client against
 * RFC 2831's worked example, its directive parser, and a whole exchange played by a server that
 * computes what Java's DIGEST-MD5 server checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5, toHex } from '../../../src/protocol/md5.js';
import { DigestMd5Client, SaslError, digestResponse, parseDirectives } from '../../../src/protocol/sasl-digest-md5.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | null): string => new TextDecoder().decode(b ?? new Uint8Array(0));

describe('md5', () => {
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ])('RFC 1321: MD5("%s")', (input, digest) => {
    expect(toHex(md5(bytes(input)))).toBe(digest);
  });

  it('matches node:crypto on every length across the padding boundaries, and on large input', () => {
    for (let n = 0; n < 200; n++) {
      const input = new Uint8Array(randomBytes(n));
      expect(toHex(md5(input))).toBe(createHash('md5').update(input).digest('hex'));
    }
    const big = new Uint8Array(randomBytes(1 << 20));
    expect(toHex(md5(big))).toBe(createHash('md5').update(big).digest('hex'));
  });
});

describe('DIGEST-MD5', () => {
  // RFC 2831 section 4, the IMAP example.
  const example = {
    username: 'chris',
    password: 'secret',
    realm: 'elwood.innovation.com',
    nonce: 'OA6MG9tEQGm2hh',
    cnonce: 'OA6MHXh6VqTrRk',
    nc: '00000001',
    qop: 'auth',
    digestUri: 'imap/elwood.innovation.com',
    utf8: true,
  };

  it("RFC 2831's example inputs: the response and the server's rspauth", () => {
    // The digests printed in RFC 2831 do not follow from its own inputs (a known defect of the example);
    // these were computed from the RFC's formula with Python's hashlib, and the exchange test below
    // checks against a server side written with node:crypto. The real proof is ZooKeeper accepting it
    // (test/integration/security/sasl.test.ts).
    expect(digestResponse(example)).toBe('1ea253dd3c1f56dd42bbb59ac547d07d');
    expect(digestResponse(example, true)).toBe('29c18ec86755ccf0ce6576c9b228cd60');
  });

  it('parses directives: quoted values with escapes and commas, tokens, case-insensitive keys, first value kept', () => {
    const d = parseDirectives('realm="zk-sasl-md5",nonce="a\\"b,c",QOP="auth,auth-int",charset=utf-8, algorithm=md5-sess,realm="other"');
    expect(Object.fromEntries(d)).toEqual({
      realm: 'zk-sasl-md5',
      nonce: 'a"b,c',
      qop: 'auth,auth-int',
      charset: 'utf-8',
      algorithm: 'md5-sess',
    });
    expect(() => parseDirectives('nonce="open')).toThrow(SaslError);
  });

  /** What ZooKeeper's server sends and checks, computed independently with node:crypto. */
  function serverSide(password: string) {
    const nonce = 'b2ZmZXJlZCBub25jZQ==';
    const h = (b: Buffer | string) => createHash('md5').update(b).digest();
    const hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
    return {
      challenge: bytes(`realm="zk-sasl-md5",nonce="${nonce}",qop="auth",charset=utf-8,algorithm=md5-sess`),
      check(response: string): Uint8Array | undefined {
        const r = parseDirectives(response);
        const a1 = Buffer.concat([h(`${r.get('username')}:zk-sasl-md5:${password}`), Buffer.from(`:${nonce}:${r.get('cnonce')}`)]);
        const kd = (a2: string) => hex(`${hex(a1)}:${nonce}:${r.get('nc')}:${r.get('cnonce')}:auth:${hex(a2)}`);
        expect(r.get('digest-uri')).toBe('zookeeper/zk-sasl-md5');
        expect(r.get('realm')).toBe('zk-sasl-md5');
        expect(r.get('qop')).toBe('auth');
        if (r.get('response') !== kd('AUTHENTICATE:zookeeper/zk-sasl-md5')) return undefined;
        return bytes(`rspauth=${kd(':zookeeper/zk-sasl-md5')}`);
      },
    };
  }

  it('a whole exchange: empty first token, the response to the challenge, then the rspauth checked', () => {
    const server = serverSide('alice-secret');
    const client = new DigestMd5Client('alice', 'alice-secret');
    expect(client.initial()).toEqual(new Uint8Array(0));
    const response = text(client.evaluate(server.challenge));
    expect(response).toMatch(/username="alice"/);
    const rspauth = server.check(response);
    expect(rspauth).toBeDefined();
    expect(client.complete).toBe(false);
    expect(client.evaluate(rspauth!)).toBeNull();
    expect(client.complete).toBe(true);
  });

  it('a wrong password gives a response the server rejects; a wrong rspauth is refused by the client', () => {
    const server = serverSide('alice-secret');
    const wrong = new DigestMd5Client('alice', 'guess');
    expect(server.check(text(wrong.evaluate(server.challenge)))).toBeUndefined();
    const client = new DigestMd5Client('alice', 'alice-secret');
    client.evaluate(server.challenge);
    expect(() => client.evaluate(bytes('rspauth=00000000000000000000000000000000'))).toThrow(SaslError);
  });

  it('refuses challenges it cannot answer: no nonce, another algorithm, no qop auth', () => {
    expect(() => new DigestMd5Client('a', 'b').evaluate(bytes('realm="r"'))).toThrow(/nonce/);
    expect(() => new DigestMd5Client('a', 'b').evaluate(bytes('nonce="n",algorithm=md5'))).toThrow(/algorithm/);
    expect(() => new DigestMd5Client('a', 'b').evaluate(bytes('nonce="n",qop="auth-conf"'))).toThrow(/qop/);
  });
});
