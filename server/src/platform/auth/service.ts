import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { recordAudit } from '../audit/service.js';
import { AppError } from '../http/errors.js';
import { isLocale, type Locale } from '../i18n/index.js';
import type { Actor } from './actor.js';
import { dummyHash, verifyPassword } from './password.js';
import * as repo from './repo.js';

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** The CSRF token is derived from the (httpOnly) session token: a page on another origin can
 * neither read the cookie nor compute the token, and nothing extra is stored. */
export function csrfTokenFor(sessionToken: string): string {
  return sha256(`csrf:${sessionToken}`).slice(0, 43);
}

export interface LoginResult {
  sessionToken: string;
  csrfToken: string;
  actor: Actor;
}

/**
 * Sessions, tokens and logins. Every login, failed login and lockout is audited.
 */
export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  async login(username: string, password: string, ip: string | null, userAgent: string | null, now = Date.now()): Promise<LoginResult> {
    // Rate limit per client address, shared by every process through the database.
    const ipKey = `ip:${ip ?? 'unknown'}`;
    const recent = await repo.countAttempts(this.db, ipKey, now - 60_000);
    if (recent >= this.config.login.ratePerMinute) {
      const seconds = 60;
      throw new AppError(429, 'rate_limited', 'http.rateLimited', { seconds }, [], { 'retry-after': String(seconds) });
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('login_attempts').values({ key: ipKey, at: now }).execute();
      await trx.deleteFrom('login_attempts').where('at', '<', now - 3_600_000).execute();
    });

    const user = await repo.findUserByUsername(this.db, username);
    const who = { userId: user?.id ?? null, name: username.slice(0, 100), ip };
    if (!user) {
      await verifyPassword(await dummyHash(), password);
      await recordAudit(this.db, who, { action: 'login_failed', entity: 'users', after: { reason: 'unknown_user' } }, now);
      throw new AppError(401, 'invalid_credentials', 'auth.invalidCredentials');
    }
    if (user.locked_until !== null && user.locked_until > now) {
      await recordAudit(this.db, who, { action: 'login_failed', entity: 'users', entityId: user.id, after: { reason: 'locked' } }, now);
      throw new AppError(423, 'locked', 'auth.locked', { minutes: Math.ceil((user.locked_until - now) / 60_000) });
    }
    const ok = await verifyPassword(user.password_hash, password);
    if (!ok) {
      await this.db.transaction().execute(async (trx) => {
        // Increment in SQL so concurrent failures are all counted.
        const row = await trx
          .updateTable('users')
          .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
          .where('id', '=', user.id)
          .returning('failed_logins')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, who, { action: 'login_failed', entity: 'users', entityId: user.id, after: { reason: 'wrong_password', failures: row.failed_logins } }, now);
        if (row.failed_logins >= this.config.login.maxFailures) {
          const until = now + this.config.login.lockMs;
          await trx.updateTable('users').set({ locked_until: until, failed_logins: 0 }).where('id', '=', user.id).execute();
          await recordAudit(trx, who, { action: 'lockout', entity: 'users', entityId: user.id, after: { lockedUntil: new Date(until).toISOString() } }, now);
        }
      });
      throw new AppError(401, 'invalid_credentials', 'auth.invalidCredentials');
    }
    if (user.disabled) {
      await recordAudit(this.db, who, { action: 'login_failed', entity: 'users', entityId: user.id, after: { reason: 'disabled' } }, now);
      throw new AppError(403, 'disabled', 'auth.disabled');
    }
    const sessionToken = newSecret();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
      await trx
        .insertInto('sessions')
        .values({ id: sha256(sessionToken), user_id: user.id, created_at: now, last_seen_at: now, expires_at: now + this.config.sessionMaxMs, ip, user_agent: userAgent?.slice(0, 300) ?? null })
        .execute();
      await recordAudit(trx, who, { action: 'login', entity: 'users', entityId: user.id }, now);
    });
    const actor = await this.actorForUser(user.id, 'session', ip, now);
    if (!actor) throw AppError.unauthorized();
    actor.sessionId = sha256(sessionToken);
    return { sessionToken, csrfToken: csrfTokenFor(sessionToken), actor };
  }

  /** Builds the actor of a user: roles, permissions, customer scope. */
  async actorForUser(userId: number, via: Actor['via'], ip: string | null, _now = Date.now()): Promise<Actor | null> {
    const user = await repo.findUserById(this.db, userId);
    if (!user || user.disabled) return null;
    const roles = await repo.rolesOfUser(this.db, user.id);
    const permissions = new Set(roles.flatMap((r) => r.permissions));
    return {
      userId: user.id,
      username: user.username,
      displayName: user.display_name,
      locale: (isLocale(user.locale) ? user.locale : 'zh-CN') as Locale,
      roles: roles.map((r) => r.code),
      permissions,
      customerId: user.customer_id,
      scope: await repo.scopeOf(this.db, user, permissions),
      via,
      ip,
    };
  }

  /** Of these users, the active provider-side ones holding `permission` (e.g. who may be given tickets), by id. */
  activeProvidersWith(userIds: number[], permission: string): Promise<number[]> {
    return repo.activeProvidersWith(this.db, userIds, permission);
  }

  /** Resolves a session cookie; null when absent, unknown, expired or idle too long. */
  async actorFromSession(sessionToken: string, ip: string | null, now = Date.now()): Promise<Actor | null> {
    const id = sha256(sessionToken);
    const s = await repo.findSession(this.db, id);
    if (!s) return null;
    if (s.expires_at <= now || s.last_seen_at + this.config.sessionIdleMs <= now) {
      await this.db.deleteFrom('sessions').where('id', '=', id).execute();
      return null;
    }
    // Touch at most once a minute: the idle timeout needs no finer grain, and GETs stay read-only.
    if (now - s.last_seen_at > 60_000) await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
    const actor = await this.actorForUser(s.user_id, 'session', ip, now);
    if (actor) actor.sessionId = id;
    return actor;
  }

  /** Resolves a bearer token. Throws for expired or revoked tokens so the caller learns why. */
  async actorFromToken(token: string, ip: string | null, now = Date.now()): Promise<Actor> {
    const row = await repo.findToken(this.db, sha256(token));
    if (!row || row.revoked_at !== null) throw AppError.unauthorized('auth.tokenInvalid');
    if (row.expires_at !== null && row.expires_at <= now) throw AppError.unauthorized('auth.tokenExpired');
    const actor = await this.actorForUser(row.user_id, 'token', ip, now);
    if (!actor) throw AppError.unauthorized('auth.tokenInvalid');
    const scopes = JSON.parse(row.scopes) as string[];
    actor.tokenScopes = scopes;
    if (!scopes.includes('*')) {
      // A token never grants more than its user has, and only what its scopes name. The data
      // scope is kept unless the token explicitly carries scope.all-dependent permissions.
      actor.permissions = new Set([...actor.permissions].filter((p) => scopes.includes(p) || p === 'scope.all'));
    }
    if (row.last_used_at === null || now - row.last_used_at > 60_000) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return actor;
  }

  async logout(actor: Actor): Promise<void> {
    if (!actor.sessionId) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('sessions').where('id', '=', actor.sessionId!).execute();
      await recordAudit(trx, { userId: actor.userId, name: actor.username, ip: actor.ip }, { action: 'logout', entity: 'users', entityId: actor.userId });
    });
  }

  async logoutEverywhere(actor: Actor): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx.deleteFrom('sessions').where('user_id', '=', actor.userId).executeTakeFirst();
      await recordAudit(trx, { userId: actor.userId, name: actor.username, ip: actor.ip }, { action: 'logout_all', entity: 'users', entityId: actor.userId });
      return Number(res.numDeletedRows);
    });
  }
}

export interface NewToken {
  id: number;
  token: string;
  name: string;
  scopes: string[];
  expiresAt: number | null;
}

/** API tokens: the secret is returned once and only its hash is stored. */
export async function createApiToken(db: Db, userId: number, name: string, scopes: string[], expiresAt: number | null, who: { userId: number | null; name: string; ip: string | null }, now = Date.now()): Promise<NewToken> {
  const token = newSecret('ywt_');
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('api_tokens')
      .values({ user_id: userId, name, token_hash: sha256(token), prefix: token.slice(0, 10), scopes: JSON.stringify(scopes), expires_at: expiresAt, created_at: now, last_used_at: null, revoked_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, who, { action: 'create', entity: 'api_tokens', entityId: row.id, after: { userId, name, scopes, expiresAt } }, now);
    return { id: row.id, token, name, scopes, expiresAt };
  });
}

/** Parses "30d", "12h", "90m" or an ISO instant into an expiry instant. */
export function parseExpiry(spec: string, now = Date.now()): number | null {
  const m = /^(\d+)\s*([dhm])$/.exec(spec.trim());
  if (m) {
    const n = Number(m[1]);
    const unit = m[2] === 'd' ? 86_400_000 : m[2] === 'h' ? 3_600_000 : 60_000;
    return n > 0 ? now + n * unit : null;
  }
  const t = Date.parse(spec);
  return Number.isNaN(t) || t <= now ? null : t;
}
