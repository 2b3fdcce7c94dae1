import { z } from 'zod';
import type { ModuleContext, ZApp } from '../http/context.js';
import { actorOf } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { idParams, iso, text } from '../http/zod.js';
import { recordAudit, auditActorOf } from '../audit/service.js';
import { LOCALES } from '../i18n/index.js';
import { ACCOUNT_SCOPE, ALL_SCOPE, isTokenScope } from './permissions.js';
import type { Actor } from './actor.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import { clearSessionCookies, setSessionCookies } from './plugin.js';
import { createApiToken, type AuthService } from './service.js';
import { findUserById } from './repo.js';
import { sessionRoute } from './session-route.js';

const me = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  locale: z.enum(LOCALES as [string, ...string[]]),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  customerId: z.number().nullable(),
  customerName: z.string().nullable(),
  /** The contact of the customer this user is: the portal reports problems in this contact's name. */
  contactId: z.number().nullable(),
  contactName: z.string().nullable(),
});

const tokenOut = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

/**
 * Route declarations (docs/SECURITY.md): who the caller is is open to every session and token;
 * the own profile to sessions and `account`-scoped tokens; credentials — password, API tokens,
 * sessions — to sessions only, so no token can make, widen, list or revoke tokens.
 */
const identity = { self: 'identity' } as const;
const account = { self: 'account' } as const;
const sessionOnly = { self: 'session' } as const;

export function authRoutes(app: ZApp, ctx: ModuleContext, auth: AuthService) {
  const { db } = ctx.database;

  async function meOf(actor: Actor) {
    const customer = actor.customerId === null ? null : await db.selectFrom('customers').select('name').where('id', '=', actor.customerId).executeTakeFirst();
    // Only a contact of the user's own customer counts (accounts keeps it so; this guards the read).
    const contact =
      actor.customerId === null
        ? null
        : await db
            .selectFrom('users')
            .innerJoin('contacts', 'contacts.id', 'users.contact_id')
            .select(['contacts.id', 'contacts.name'])
            .where('users.id', '=', actor.userId)
            .where('contacts.customer_id', '=', actor.customerId)
            .executeTakeFirst();
    return {
      id: actor.userId,
      username: actor.username,
      displayName: actor.displayName,
      locale: actor.locale,
      roles: actor.roles,
      permissions: [...actor.permissions].sort(),
      customerId: actor.customerId,
      customerName: customer?.name ?? null,
      contactId: contact ? Number(contact.id) : null,
      contactName: contact?.name ?? null,
    };
  }

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password; starts a cookie session',
        body: z.object({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(1000) }),
        response: { 200: z.object({ user: me, csrfToken: z.string() }) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const result = await auth.login(username, password, request.ip, request.headers['user-agent'] ?? null);
      setSessionCookies(ctx.config, request, reply, result.sessionToken, result.csrfToken);
      return { user: await meOf(result.actor), csrfToken: result.csrfToken };
    },
  );

  app.post('/api/v1/auth/logout', { config: sessionOnly, schema: { tags: ['auth'], summary: 'End this session', response: { 204: z.null() } } }, async (request, reply) => {
    await auth.logout(actorOf(request));
    clearSessionCookies(reply);
    return reply.status(204).send(null);
  });

  app.post(
    '/api/v1/auth/logout-all',
    { config: sessionOnly, schema: { tags: ['auth'], summary: 'End every session of the caller', response: { 200: z.object({ ended: z.number() }) } } },
    async (request, reply) => {
      const ended = await auth.logoutEverywhere(actorOf(request));
      clearSessionCookies(reply);
      return { ended };
    },
  );

  app.get('/api/v1/auth/me', { config: identity, schema: { tags: ['auth'], summary: 'The caller', response: { 200: me } } }, async (request) => meOf(actorOf(request)));
  sessionRoute(app, auth, me, meOf); // GET /auth/session: the same user, or null without a 401

  app.patch(
    '/api/v1/auth/me',
    {
      config: account,
      schema: {
        tags: ['auth'],
        summary: 'Change own language or display name',
        body: z.strictObject({ locale: z.enum(LOCALES as [string, ...string[]]).optional(), displayName: text(100).optional() }),
        response: { 200: me },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const before = await findUserById(db, actor.userId);
      if (!before) throw AppError.notFound();
      const patch = { ...(request.body.locale ? { locale: request.body.locale } : {}), ...(request.body.displayName ? { display_name: request.body.displayName } : {}) };
      if (Object.keys(patch).length) {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('users').set({ ...patch, updated_at: Date.now() }).where('id', '=', actor.userId).execute();
          await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'users', entityId: actor.userId, before: { locale: before.locale, displayName: before.display_name }, after: patch });
        });
      }
      const fresh = await auth.actorForUser(actor.userId, actor.via, actor.ip);
      return meOf(fresh ?? actor);
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: sessionOnly,
      schema: {
        tags: ['auth'],
        summary: 'Change own password (ends the caller\'s other sessions)',
        body: z.object({ currentPassword: z.string().min(1).max(1000), newPassword: z.string().min(1).max(1000) }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const user = await findUserById(db, actor.userId);
      if (!user) throw AppError.notFound();
      const { currentPassword, newPassword } = request.body;
      if (!(await verifyPassword(user.password_hash, currentPassword))) throw AppError.field('currentPassword', 'auth.wrongPassword');
      const problems = checkPasswordPolicy(ctx.config.password, newPassword, user.username, 'newPassword');
      if (newPassword === currentPassword) problems.push({ field: 'newPassword', code: 'password.sameAsCurrent' });
      if (problems.length) throw AppError.validation(problems);
      const hash = await hashPassword(newPassword);
      const now = Date.now();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ password_hash: hash, password_changed_at: now, updated_at: now }).where('id', '=', actor.userId).execute();
        let q = trx.deleteFrom('sessions').where('user_id', '=', actor.userId);
        if (actor.sessionId) q = q.where('id', '!=', actor.sessionId);
        await q.execute();
        await recordAudit(trx, auditActorOf(actor), { action: 'password_change', entity: 'users', entityId: actor.userId });
      });
      return reply.status(204).send(null);
    },
  );

  app.get('/api/v1/auth/tokens', { config: sessionOnly, schema: { tags: ['auth'], summary: 'The caller\'s API tokens', response: { 200: z.object({ items: z.array(tokenOut) }) } } }, async (request) => {
    const rows = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', actorOf(request).userId).where('revoked_at', 'is', null).orderBy('id', 'desc').execute();
    return {
      items: rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, scopes: JSON.parse(r.scopes) as string[], expiresAt: iso(r.expires_at), createdAt: iso(r.created_at), lastUsedAt: iso(r.last_used_at) })),
    };
  });

  app.post(
    '/api/v1/auth/tokens',
    {
      config: sessionOnly,
      schema: {
        tags: ['auth'],
        summary: 'Create an API token (the secret is shown once)',
        body: z.object({
          name: text(100),
          scopes: z.array(z.string().refine(isTokenScope, { params: { code: 'invalid' } })).min(1).max(50).default([ALL_SCOPE]),
          expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
        }),
        response: { 201: z.object({ id: z.number(), token: z.string(), name: z.string(), scopes: z.array(z.string()), expiresAt: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      // A token may not carry permissions its owner lacks (`*` and `account` are the owner's own).
      request.body.scopes.forEach((s, i) => {
        if (s !== ALL_SCOPE && s !== ACCOUNT_SCOPE && !actor.permissions.has(s)) throw AppError.field(`scopes[${i}]`, 'invalid');
      });
      const expiresAt = request.body.expiresInDays === null ? null : Date.now() + request.body.expiresInDays * 86_400_000;
      const t = await createApiToken(db, actor.userId, request.body.name, request.body.scopes, expiresAt, auditActorOf(actor));
      return reply.status(201).send({ ...t, expiresAt: iso(t.expiresAt) });
    },
  );

  app.delete('/api/v1/auth/tokens/:id', { config: sessionOnly, schema: { tags: ['auth'], summary: 'Revoke an API token', params: idParams, response: { 204: z.null() } } }, async (request, reply) => {
    const actor = actorOf(request);
    await db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('api_tokens').set({ revoked_at: Date.now() }).where('id', '=', request.params.id).where('user_id', '=', actor.userId).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw AppError.notFound();
      await recordAudit(trx, auditActorOf(actor), { action: 'delete', entity: 'api_tokens', entityId: request.params.id });
    });
    return reply.status(204).send(null);
  });
}
