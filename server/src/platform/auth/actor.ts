import type { Locale } from '../i18n/index.js';
import { AppError } from '../http/errors.js';

/**
 * Who is calling, resolved once per request by the auth plugin. Services receive the actor
 * and repositories apply `scope` to every query.
 */
export interface Actor {
  userId: number;
  username: string;
  displayName: string;
  locale: Locale;
  roles: string[];
  permissions: Set<string>;
  /** Set for a customer's own staff: they see this customer only. */
  customerId: number | null;
  scope: CustomerScope;
  via: 'session' | 'token' | 'system';
  sessionId?: string;
  /** For API tokens: the scopes the token was limited to ("*" = the user's permissions). */
  tokenScopes?: string[];
  ip: string | null;
}

/** `all`: every customer. `customers`: exactly these (possibly none). */
export type CustomerScope = { kind: 'all' } | { kind: 'customers'; ids: number[] };

export function can(actor: Actor, permission: string): boolean {
  return actor.permissions.has(permission);
}

export function inScope(scope: CustomerScope, customerId: number): boolean {
  return scope.kind === 'all' || scope.ids.includes(customerId);
}

/** Records outside the caller's scope are "not found": their existence is not disclosed. */
export function assertInScope(actor: Actor, customerId: number): void {
  if (!inScope(actor.scope, customerId)) throw AppError.notFound();
}

/** The actor used by the CLI, the demo loader and jobs: every permission, every customer. */
export function systemActor(name = 'system', permissions: Iterable<string> = []): Actor {
  return {
    userId: 0,
    username: name,
    displayName: name,
    locale: 'zh-CN',
    roles: ['system'],
    permissions: new Set(permissions),
    customerId: null,
    scope: { kind: 'all' },
    via: 'system',
    ip: null,
  };
}
