import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { recordAudit, type AuditActor } from '../audit/service.js';
import { AppError } from '../http/errors.js';
import { isLocale, type Locale } from '../i18n/index.js';
import type { Actor } from './actor.js';
import { dummyHash, verifyPassword } from './password.js';
import { noteSecurityEvent } from './events.js';
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

/** The one answer to every refused login: wrong password, unknown, disabled or locked account. */
function invalidCredentials(): AppError {
  return new AppError(401, 'invalid_credentials', 'auth.invalidCredentials');
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
    const who = { userId: null as number | null, name: username.slice(0, 100), ip };
    await this.limitLoginRate(who, now);

    const user = await repo.findUserByUsername(this.db, username);
    who.userId = user?.id ?? null;
    // Unknown, disabled and locked accounts get the answer (and the argon2 time) of a wrong
    // password, so neither the answer nor its timing tells which usernames exist; the audit
    // log keeps the real reason.
    if (!user) return this.refuseLogin(who, 'unknown_user', password, now);
    if (user.disabled) return this.refuseLogin(who, 'disabled', password, now);
    const attempt = await repo.reserveLoginAttempt(this.db, user.id, this.config.login, now);
    if (!attempt) return this.refuseLogin(who, 'locked', password, now);

    if (!(await verifyPassword(user.password_hash, password))) {
      await this.db.transaction().execute(async (trx) => {
        await recordAudit(trx, who, { action: 'login_failed', entity: 'users', entityId: user.id, after: { reason: 'wrong_password', failures: attempt.failures } }, now);
        if (attempt.locks) {
          const until = new Date(now + this.config.login.lockMs).toISOString();
          await recordAudit(trx, who, { action: 'lockout', entity: 'users', entityId: user.id, after: { lockedUntil: until } }, now);
        }
      });
      throw invalidCredentials();
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

  /**
   * Rate limit per client address, shared by every process through the database. The attempt
   * is stored before it is counted, so parallel logins cannot all pass one count; a refusal is
   * audited (aggregated: see events.ts).
   */
  private async limitLoginRate(who: AuditActor, now: number): Promise<void> {
    const ipKey = `ip:${who.ip ?? 'unknown'}`;
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('login_attempts').values({ key: ipKey, at: now }).execute();
      await trx.deleteFrom('login_attempts').where('at', '<', now - 3_600_000).execute();
    });
    const recent = await repo.countAttempts(this.db, ipKey, now - 60_000);
    if (recent <= this.config.login.ratePerMinute) return;
    await noteSecurityEvent(this.db, 'login_rate_limited', who, {}, now);
    const seconds = 60;
    throw new AppError(429, 'rate_limited', 'http.rateLimited', { seconds }, [], { 'retry-after': String(seconds) });
  }

  /** Refuses a login without checking the password, after the time a check takes. */
  private async refuseLogin(who: AuditActor, reason: 'unknown_user' | 'disabled' | 'locked', password: string, now: number): Promise<never> {
    await verifyPassword(await dummyHash(), password);
    await recordAudit(this.db, who, { action: 'login_failed', entity: 'users', entityId: who.userId, after: { reason } }, now);
    throw invalidCredentials();
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

  /**
   * Resolves a bearer token. Throws for expired or revoked tokens so the caller learns why;
   * every refusal is audited (aggregated).
   */
  async actorFromToken(token: string, ip: string | null, now = Date.now()): Promise<Actor> {
    const row = await repo.findToken(this.db, sha256(token));
    const refuse = async (reason: string, key = 'auth.tokenInvalid') => {
      // Only a stored token's public prefix names it: the presented value may be any secret.
      const who = { userId: row?.user_id ?? null, name: row ? `token ${row.prefix}…` : 'bearer', ip };
      await this.noteInvalidBearer(who, reason, now);
      return AppError.unauthorized(key);
    };
    if (!row) throw await refuse('unknown');
    if (row.revoked_at !== null) throw await refuse('revoked');
    if (row.expires_at !== null && row.expires_at <= now) throw await refuse('expired', 'auth.tokenExpired');
    const actor = await this.actorForUser(row.user_id, 'token', ip, now);
    if (!actor) throw await refuse('user_disabled');
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

  /** An Authorization header that is not a valid bearer token (audited, aggregated). */
  noteInvalidBearer(who: AuditActor, reason: string, now = Date.now()): Promise<void> {
    return noteSecurityEvent(this.db, 'token_invalid', who, { reason }, now);
  }

  /** A cookie-authenticated write without the right CSRF token (audited, aggregated). */
  noteCsrfRefused(actor: Actor, detail: { method: string; route: string }): Promise<void> {
    return noteSecurityEvent(this.db, 'csrf_refused', { userId: actor.userId, name: actor.username, ip: actor.ip }, detail);
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
