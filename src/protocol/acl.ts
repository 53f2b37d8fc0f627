/** ZooDefs.Ids: the well-known ids and ACL sets, plus a digest ACL builder. */
import { InvalidACLError } from '../errors.js';
import { Perms } from './constants.js';
import { digestId } from './digest.js';
import type { ACL, Id } from './records/data.js';

/** world:anyone — everybody. */
export const ANYONE_ID_UNSAFE: Id = Object.freeze({ scheme: 'world', id: 'anyone' });

/** auth:"" — replaced by the server with every authenticated id of the creating session. */
export const AUTH_IDS: Id = Object.freeze({ scheme: 'auth', id: '' });

/** Everyone may do everything. */
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.ALL, id: ANYONE_ID_UNSAFE })]);

/** Everything for the creator's authenticated ids (INVALIDACL if the session has none). */
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.ALL, id: AUTH_IDS })]);

/** Everyone may read. */
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.READ, id: ANYONE_ID_UNSAFE })]);

/** An ACL entry for a digest user, computed from the clear-text password. */
export async function digestACL(user: string, password: string, perms: number = Perms.ALL): Promise<ACL> {
  return { perms, id: { scheme: 'digest', id: await digestId(user, password) } };
}

/**
 * Refuses permission bits outside Perms.ALL (READ | WRITE | CREATE | DELETE | ADMIN = 31) before
 * anything is sent: ZooKeeper 3.8 stores such an entry as given (perms 64, or -1) where it grants
 * nothing it names. Empty ACLs, unknown schemes and malformed ids are the server's to refuse (it answers
 * INVALIDACL for them).
 */
export function checkACL(acl: readonly ACL[], path?: string): void {
  for (const entry of acl) {
    const perms = entry.perms;
    if (!Number.isInteger(perms) || perms < 0 || (perms & ~Perms.ALL) !== 0) {
      throw new InvalidACLError(`INVALIDACL: perms ${perms} for ${entry.id.scheme}:${entry.id.id} has bits outside Perms.ALL (31)`, {
        path,
      });
    }
  }
}
