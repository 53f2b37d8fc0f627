/** Calls to the Node-side fault control server (fault-control.ts) from tests inside workerd. */
import { inject } from 'vitest';

export async function control(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${inject('faultControl')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`fault control ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** A loopback port nobody listens on. */
export async function freePort(): Promise<number> {
  return Number((await control('/free-port')).port);
}
