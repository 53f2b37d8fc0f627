/**
 * Lays out one local server's directory (zoo.cfg, data/, myid, log file) and returns its unstarted process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZkLocation } from './locate.js';
import { ZkServerProcess } from './server-process.js';
import { defaultStartTimeout, jvmFlags, renderZooCfg, type PeerPorts, type ZkServerOptions } from './zoo-config.js';

export const STANDALONE_MAIN = 'org.apache.zookeeper.server.ZooKeeperServerMain';
export const QUORUM_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

export function prepareProcessServer(
  location: Extract<ZkLocation, { kind: 'java' }>,
  dir: string,
  id: number,
  clientPort: number,
  peers: readonly PeerPorts[] | undefined,
  opts: ZkServerOptions,
  orphanDir: string = dir,
  securePort?: number,
): ZkServerProcess {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  if (peers) writeFileSync(join(dataDir, 'myid'), `${id}\n`);
  const configFile = join(dir, 'zoo.cfg');
  writeFileSync(configFile, renderZooCfg(opts, dataDir, clientPort, peers, securePort));
  return new ZkServerProcess({
    id,
    dir,
    orphanDir,
    configFile,
    logFile: join(dir, 'zookeeper.log'),
    clientPort,
    secureClientPort: securePort,
    java: location.java,
    classpath: location.classpath,
    mainClass: peers ? QUORUM_MAIN : STANDALONE_MAIN,
    jvmFlags: jvmFlags(opts),
    startTimeoutMs: defaultStartTimeout(opts),
  });
}
