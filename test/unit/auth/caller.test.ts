import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenException } from '@nestjs/common';
import { secretHash } from '../../../src/auth/api-key.service';
import { assertNamespaceInScope, canSeeNamespace, CallerIdentity, hasRole, ROLES } from '../../../src/auth/caller';

const caller = (role: CallerIdentity['role'], namespaces: string[] | null = null): CallerIdentity => ({ keyId: 'k', name: 'n', role, namespaces });

describe('roles and scope', () => {
  it('each role includes the ones before it, never the ones after', () => {
    for (const [i, have] of ROLES.entries()) {
      for (const [j, need] of ROLES.entries()) assert.equal(hasRole(caller(have), need), i >= j, `${have} needs ${need}`);
    }
  });

  it('a key without a limit sees every namespace, a limited one only its own', () => {
    assert.equal(canSeeNamespace(caller('viewer'), 'anything'), true);
    assert.equal(canSeeNamespace(caller('admin', ['a', 'b']), 'b'), true);
    assert.equal(canSeeNamespace(caller('admin', ['a', 'b']), 'c'), false);
    assert.equal(canSeeNamespace(caller('admin', []), ''), false, 'cluster-wide is outside any limit');
    assert.doesNotThrow(() => assertNamespaceInScope(caller('viewer', ['a']), undefined, 'namespace'));
    assert.throws(() => assertNamespaceInScope(caller('viewer', ['a']), 'b', 'srcNamespace'), (e: unknown) => e instanceof ForbiddenException && JSON.stringify(e.getResponse()).includes('srcNamespace'));
  });

  it('stores SHA-256 of the secret (hex), never the secret', () => {
    assert.equal(secretHash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
