/**
 * Quick check for a Docker engine, done before testcontainers is loaded: testcontainers itself can spend
 * a long time probing strategies when there is no engine, and the harness must not hang on that.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

type Endpoint = { socketPath: string } | { host: string; port: number };

function candidates(): Endpoint[] {
  const dockerHost = process.env['DOCKER_HOST'];
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return [{ socketPath: dockerHost.slice('unix://'.length) }];
    const m = /^tcp:\/\/([^:/]+):(\d+)/.exec(dockerHost);
    return m ? [{ host: m[1]!, port: Number(m[2]) }] : [];
  }
  const sockets = [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    process.env['XDG_RUNTIME_DIR'] ? join(process.env['XDG_RUNTIME_DIR'], 'docker.sock') : '',
  ];
  return sockets.filter((s) => s !== '' && existsSync(s)).map((socketPath) => ({ socketPath }));
}

function ping(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** True when a Docker engine answers `/_ping` within `timeoutMs`. */
export async function dockerEngineAnswers(timeoutMs = 1500): Promise<boolean> {
  for (const endpoint of candidates()) {
    if (await ping(endpoint, timeoutMs)) return true;
  }
  return false;
}
