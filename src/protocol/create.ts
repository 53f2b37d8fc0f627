/**
 * Builds the right create request for a CreateMode, as the Java client does: create2 for ordinary
 * modes, createContainer (19) for CONTAINER (the opcode, not the flag, makes a container), createTTL (21)
 * with the ttl field for the TTL modes. TTL rules (EphemeralType.TTL): only with a TTL mode, 1 .. 2^40-1 ms.
 */
import { InvalidArgumentError } from '../errors.js';
import { checkACL } from './acl.js';
import { CreateMode, TTL_MAX, TTL_MIN, createModeInfo } from './constants.js';
import type { ACL } from './records/data.js';
import type { Request } from './requests.js';

/** The requests that create a node and answer with its path and Stat. */
export type CreateKindRequest = Extract<Request, { op: 'create2' | 'createTTL' | 'createContainer' }>;

/**
 * The create request for a CreateMode: create2, createContainer or createTTL (with `ttl`).
 *
 * @throws {@link zkts!InvalidArgumentError} for an unknown mode, a TTL mode without a valid `ttl`
 *   (1 .. 2^40 - 1 ms), or a `ttl` with another mode.
 */
export function createRequest(
  path: string,
  data: Uint8Array | null,
  acl: readonly ACL[],
  mode: number = CreateMode.PERSISTENT,
  ttl?: number | bigint,
): CreateKindRequest {
  const info = createModeInfo(mode);
  if (info === undefined) throw new InvalidArgumentError(`unknown create mode ${mode}`, { path });
  checkACL(acl, path);
  if (info.ttl) {
    if (ttl === undefined) throw new InvalidArgumentError('a TTL mode needs a ttl', { path });
    // BigInt() would throw a RangeError for these.
    if (typeof ttl === 'number' && !Number.isInteger(ttl)) {
      throw new InvalidArgumentError(`ttl must be an integer number of ms, got ${ttl}`, { path });
    }
    const t = BigInt(ttl);
    if (t < TTL_MIN || t > TTL_MAX) {
      throw new InvalidArgumentError(`ttl must be between ${TTL_MIN} and ${TTL_MAX} ms, got ${t}`, { path });
    }
    return { op: 'createTTL', path, data, acl, flags: mode, ttl: t };
  }
  if (ttl !== undefined) throw new InvalidArgumentError('ttl is only valid with a TTL create mode', { path });
  if (info.container) return { op: 'createContainer', path, data, acl, flags: mode };
  return { op: 'create2', path, data, acl, flags: mode };
}
