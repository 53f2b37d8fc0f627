/**
 * A single standalone server on a free loopback port, with its own temp dir (or container).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackDir } from './cleanup-registry.js';
import { startContainers } from './container-server.js';
import { freePorts } from './free-port.js';
import { locateZooKeeper, type ZkLocation } from './locate.js';
import { prepareProcessServer } from './process-factory.js';
import type { ZkServer } from './server.js';
import type { ZkServerOptions } from './zoo-config.js';

export interface StartOptions extends ZkServerOptions {
  /** Where ZooKeeper comes from; default: locateZooKeeper({ needStartable: true }). */
  location?: ZkLocation;
}

/** Resolves the location for callers that start servers: ZK_CONNECT cannot start anything. */
export async function startableLocation(opts: StartOptions): Promise<Exclude<ZkLocation, { kind: 'external' }>> {
  const location = opts.location ?? (await locateZooKeeper({ needStartable: true }));
  if (location.kind === 'external') {
    throw new Error('cannot start servers from ZK_CONNECT alone: a local ZooKeeper install or a Docker engine is needed');
  }
  return location;
}

/**
 * True when a failed start was a port taken between freePorts() and the JVM's bind (another process can
 * grab a just-released ephemeral port): worth one more try on fresh ports.
 */
export function lostPortRace(server: ZkServer): boolean {
  return /BindException|Address already in use/.test(server.logTail(200));
}

/** Attempts at a fresh set of ports when a start loses the port race. */
export const PORT_ATTEMPTS = 3;

/** Starts a standalone server and resolves once it serves; call destroy() on the result when done. */
export async function startStandalone(opts: StartOptions = {}): Promise<ZkServer> {
  const location = await startableLocation(opts);
  if (location.kind === 'docker') return (await startContainers(location.image, 1, opts)).servers[0]!;
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'zkts-zk-'));
    trackDir(dir);
    const [clientPort, securePort] = await freePorts(opts.secureClientPort === true ? 2 : 1);
    const server = prepareProcessServer(location, dir, 1, clientPort!, undefined, opts, dir, securePort);
    try {
      await server.start();
      await server.waitServing();
      return server;
    } catch (err) {
      const retry = attempt < PORT_ATTEMPTS && lostPortRace(server);
      await server.destroy();
      if (!retry) throw err;
    }
  }
}
