/**
 * Chroot paths (the connect string's suffix, ConnectStringParser): the prefix is added to every outgoing path
 * and stripped from incoming ones only when the path is the chroot or lies under it, never blindly
 * (ZOOKEEPER-4565).
 */
import { describe, expect, it } from 'vitest';
import { toClientPath, toServerPath } from '../../../src/session/chroot.js';

describe('chroot', () => {
  it('chroot - outgoing: "/" becomes the chroot, other paths get it as a prefix', () => {
    expect(toServerPath('/app', '/')).toBe('/app');
    expect(toServerPath('/app', '/a')).toBe('/app/a');
    expect(toServerPath('/app/sub', '/a/b')).toBe('/app/sub/a/b');
  });

  it('chroot - without a chroot paths pass through both ways', () => {
    expect(toServerPath('', '/a')).toBe('/a');
    expect(toServerPath('', '/')).toBe('/');
    expect(toClientPath('', '/a/b')).toBe('/a/b');
    expect(toClientPath('', '/')).toBe('/');
  });

  it('chroot - incoming: the chroot itself becomes "/", paths under it lose the prefix', () => {
    expect(toClientPath('/app', '/app')).toBe('/');
    expect(toClientPath('/app', '/app/a')).toBe('/a');
    expect(toClientPath('/app', '/app/q/n-0000000007')).toBe('/q/n-0000000007');
  });

  it('chroot - ZOOKEEPER-4565: a path that merely starts with the chroot string is left alone', () => {
    // 3.8 strips blindly and turns /application/x into /lication/x.
    expect(toClientPath('/app', '/application/x')).toBe('/application/x');
    expect(toClientPath('/app', '/apple')).toBe('/apple');
  });

  it('chroot - paths outside the chroot are left unchanged', () => {
    expect(toClientPath('/app', '/zookeeper/config')).toBe('/zookeeper/config');
    expect(toClientPath('/app', '/ap')).toBe('/ap');
    expect(toClientPath('/app/sub', '/app')).toBe('/app');
  });

  it('chroot - strip undoes apply for every client path', () => {
    for (const chroot of ['/app', '/a/b/c']) {
      for (const path of ['/', '/x', '/x/y', '/app', '/application']) {
        expect(toClientPath(chroot, toServerPath(chroot, path))).toBe(path);
      }
    }
  });
});
