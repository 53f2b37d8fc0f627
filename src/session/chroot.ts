/**
 * Chroot: a client-side path prefix the server knows nothing about (the Java client's
 * ZooKeeper.prependChroot and ClientCnxn.stripChroot). Applied to every path sent; stripped from every
 * path returned only when it is the chroot or lies under it (the 3.9 rule; 3.8's blind strip is
 * ZOOKEEPER-4565).
 */
export function toServerPath(chroot: string, path: string): string {
  if (chroot === '') return path;
  return path === '/' ? chroot : chroot + path;
}

export function toClientPath(chroot: string, serverPath: string): string {
  if (chroot === '') return serverPath;
  if (serverPath === chroot) return '/';
  if (serverPath.startsWith(chroot) && serverPath.charCodeAt(chroot.length) === 0x2f) {
    return serverPath.slice(chroot.length);
  }
  return serverPath;
}
