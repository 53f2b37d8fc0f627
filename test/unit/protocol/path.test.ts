/**
 * validatePath against ZooKeeper's PathUtils.validatePath: absolute, no trailing "/" except the root
 * or a sequential prefix, no empty/"."/".." segments, none of the forbidden characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { validatePath } from '../../../src/protocol/index.js';

function rejects(path: string, sequential = false): InvalidArgumentError {
  let caught: unknown;
  try {
    validatePath(path, sequential);
  } catch (e) {
    caught = e;
  }
  expect(caught, JSON.stringify(path)).toBeInstanceOf(InvalidArgumentError);
  const e = caught as InvalidArgumentError;
  expect(e.code).toBe('INVALIDARGUMENT');
  expect(e.path).toBe(path);
  return e;
}

describe('path - valid', () => {
  it('path - the root, plain, nested and unusual-but-legal paths pass', () => {
    for (const p of [
      '/',
      '/a',
      '/a/b/c',
      '/zookeeper/quota',
      '/...',
      '/.a',
      '/a.',
      '/a..b',
      '/..a/b..',
      '/with space',
      '/é/中文/ÿ',
      '/\u00a0',
      '/\uf900',
      '/\uffef',
      '/a-0000000001',
    ]) {
      expect(() => validatePath(p), JSON.stringify(p)).not.toThrow();
    }
  });

  it('path - a sequential prefix may end in "/" and may be the root', () => {
    for (const p of ['/t/', '/', '/a/b/', '/q/item-']) expect(() => validatePath(p, true), p).not.toThrow();
  });

  it('path - any path built from legal segments passes', () => {
    const legalChar = fc
      .integer({ min: 0x20, max: 0xd7ff })
      .filter((c) => c !== 0x2f && (c < 0x7f || c > 0x9f))
      .map((c) => String.fromCharCode(c));
    const legal = fc.string({ unit: legalChar, minLength: 1, maxLength: 8 }).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(legal, { minLength: 1, maxLength: 6 }), (segments) => {
        validatePath(`/${segments.join('/')}`);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('path - invalid', () => {
  it('path - empty, relative and non-string paths are rejected', () => {
    expect(rejects('').message).toMatch(/empty/);
    expect(rejects('a').message).toMatch(/must start with "\/"/);
    expect(rejects('a/b').message).toMatch(/start with/);
    rejects('', true);
    expect(() => validatePath(undefined as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => validatePath(42 as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('path - a trailing "/" is rejected except on the root or a sequential create', () => {
    expect(rejects('/a/').message).toMatch(/must not end with "\/"/);
    rejects('/a/b/');
    expect(() => validatePath('/')).not.toThrow();
    expect(() => validatePath('/a/', true)).not.toThrow();
  });

  it('path - "//" (an empty segment) is rejected anywhere, sequential or not', () => {
    for (const p of ['//', '//a', '/a//b', '/a/b//c']) rejects(p);
    rejects('/a//', true);
    rejects('//', true);
  });

  it('path - "." and ".." as whole segments are rejected', () => {
    for (const p of ['/.', '/..', '/a/.', '/a/..', '/./a', '/../a', '/a/./b', '/a/../b']) {
      expect(rejects(p).message, p).toMatch(/relative segment/);
    }
    rejects('/./a', true);
    rejects('/a/../b-', true);
    // Java checks path + "1" for a sequential create: a trailing "." or ".." becomes a legal ".1" / "..1".
    expect(() => validatePath('/a/.', true)).not.toThrow();
    expect(() => validatePath('/a/..', true)).not.toThrow();
  });

  it('path - U+0000, other control characters and U+007F-U+009F are rejected', () => {
    for (const c of [0x00, 0x01, 0x09, 0x0a, 0x1f, 0x7f, 0x80, 0x9f]) {
      const ch = String.fromCharCode(c);
      expect(rejects(`/a${ch}b`).message).toMatch(/forbidden character/);
      rejects(`/${ch}`);
    }
  });

  it('path - surrogates and the private use area (U+D800-U+F8FF), hence astral characters, are rejected', () => {
    expect(rejects('/a\uD800').message).toContain('U+D800');
    rejects('/\uDBFF\uDFFF');
    rejects('/\u{1F600}');
    rejects('/\uE000');
    rejects('/\uF8FF');
    expect(() => validatePath('/\uD7FF')).not.toThrow();
    expect(() => validatePath('/\uF900')).not.toThrow();
  });

  it('path - U+FFF0-U+FFFF are rejected', () => {
    expect(rejects('/\uFFF0').message).toContain('U+FFF0');
    rejects('/\uFFFE');
    rejects('/\uFFFF');
    rejects('/a/\uFFF5/b');
  });

  it('path - a path with any forbidden character anywhere is rejected', () => {
    const forbidden = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.integer({ min: 0x7f, max: 0x9f }),
      fc.integer({ min: 0xd800, max: 0xf8ff }),
      fc.integer({ min: 0xfff0, max: 0xffff }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{0,5}$/), forbidden, fc.stringMatching(/^[a-z]{0,5}$/), (a, c, b) => {
        expect(() => validatePath(`/${a}${String.fromCharCode(c)}${b}`)).toThrow(InvalidArgumentError);
      }),
      { seed: 12, numRuns: 300 },
    );
  });
});
