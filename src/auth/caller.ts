import { ForbiddenException } from '@nestjs/common';

export const ROLES = ['viewer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: set on the request by the auth guard, handed to controllers by @Caller(). */
export interface CallerIdentity {
  keyId: string;
  name: string;
  role: Role;
  /** The namespaces this key may see; null = all namespaces. */
  namespaces: string[] | null;
}

/** With FLOWSCOPE_AUTH=off every request acts as this. */
export const AUTH_OFF_CALLER: CallerIdentity = Object.freeze({ keyId: 'auth-off', name: 'anonymous (auth off)', role: 'admin', namespaces: null }) as CallerIdentity;

/** Each role includes the ones before it. */
export function hasRole(caller: CallerIdentity, needed: Role): boolean {
  return ROLES.indexOf(caller.role) >= ROLES.indexOf(needed);
}

export function canSeeNamespace(caller: CallerIdentity, namespace: string): boolean {
  return caller.namespaces === null || caller.namespaces.includes(namespace);
}

/**
 * A filter naming a namespace outside the key's scope is a 403 naming the field, not an empty
 * answer: the caller learns they asked for something they may not see, nothing about it.
 */
export function assertNamespaceInScope(caller: CallerIdentity, namespace: string | undefined, field: string): void {
  if (namespace === undefined || canSeeNamespace(caller, namespace)) return;
  throw new ForbiddenException({
    message: `${field}: this API key is limited to other namespaces`,
    details: [{ field, problems: ['outside the namespaces this API key may see'] }],
  });
}
