/** checkACL: permission bits outside Perms.ALL are refused before sending; everything else is the server's. */
import { describe, expect, it } from 'vitest';
import { InvalidACLError } from '../../../src/errors.js';
import { checkACL } from '../../../src/protocol/acl.js';
import { Perms } from '../../../src/protocol/constants.js';
import { createRequest } from '../../../src/protocol/create.js';

const anyone = { scheme: 'world', id: 'anyone' };

describe('checkACL', () => {
  it('accepts every combination of the five bits, 0 included, and leaves schemes and ids to the server', () => {
    for (let perms = 0; perms <= Perms.ALL; perms++) expect(() => checkACL([{ perms, id: anyone }])).not.toThrow();
    expect(() => checkACL([{ perms: Perms.ALL, id: { scheme: 'no-such-scheme', id: '' } }])).not.toThrow();
    expect(() => checkACL([])).not.toThrow();
  });

  it.each([32, 64, -1, Perms.ALL | 128, 1.5, Number.NaN])('refuses perms %s with InvalidACLError naming the entry', (perms) => {
    expect(() => checkACL([{ perms, id: anyone }], '/p')).toThrow(InvalidACLError);
    expect(() => checkACL([{ perms, id: anyone }], '/p')).toThrow(/world:anyone/);
    expect(() => createRequest('/p', null, [{ perms, id: anyone }])).toThrow(InvalidACLError);
  });
});
