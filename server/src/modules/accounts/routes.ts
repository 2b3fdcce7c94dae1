import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { idParams, page, pageQuery } from '../../platform/http/zod.js';
import type { AccountsService } from './service.js';
import { auditItem, auditQuery, passwordReset, permissionOut, roleCreate, roleOut, rolePatch, userCreate, userListQuery, userOut, userPatch } from './schema.js';

/** HTTP of users, roles, the permission catalogue and the audit log search. */
export function accountsRoutes(app: ZApp, svc: AccountsService) {
  const users = { tags: ['users'] };
  const roles = { tags: ['roles'] };

  app.get(
    '/api/v1/users',
    { config: { permission: 'users.read' }, schema: { ...users, summary: 'List users (q searches username and display name)', querystring: userListQuery, response: { 200: page(userOut) } } },
    async (request) => svc.listUsers(actorOf(request), request.query),
  );

  app.get('/api/v1/users/:id', { config: { permission: 'users.read' }, schema: { ...users, summary: 'One user', params: idParams, response: { 200: userOut } } }, async (request) =>
    svc.getUser(actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/users',
    { config: { permission: 'users.write' }, schema: { ...users, summary: 'Create a user with an initial password', body: userCreate, response: { 201: userOut } } },
    async (request, reply) => reply.status(201).send(await svc.createUser(actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/users/:id',
    { config: { permission: 'users.write' }, schema: { ...users, summary: 'Edit a user (send the version you read)', params: idParams, body: userPatch, response: { 200: userOut } } },
    async (request) => svc.patchUser(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/users/:id',
    {
      config: { permission: 'users.write' },
      schema: { ...users, summary: 'Disable a user (users are never deleted: the audit log names them)', params: idParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await svc.setDisabled(actorOf(request), request.params.id, true);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/users/:id/disable',
    { config: { permission: 'users.write' }, schema: { ...users, summary: 'Disable a user and end his sessions', params: idParams, response: { 200: userOut } } },
    async (request) => svc.setDisabled(actorOf(request), request.params.id, true),
  );

  app.post('/api/v1/users/:id/enable', { config: { permission: 'users.write' }, schema: { ...users, summary: 'Enable a disabled user', params: idParams, response: { 200: userOut } } }, async (request) =>
    svc.setDisabled(actorOf(request), request.params.id, false),
  );

  app.post(
    '/api/v1/users/:id/unlock',
    { config: { permission: 'users.write' }, schema: { ...users, summary: 'End a lockout after failed logins', params: idParams, response: { 200: userOut } } },
    async (request) => svc.unlockUser(actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/users/:id/password',
    {
      config: { permission: 'users.write' },
      schema: { ...users, summary: 'Set a new password for a user (ends his lockout and sessions)', params: idParams, body: passwordReset, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await svc.resetPassword(actorOf(request), request.params.id, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  const roleQuery = z.object({ limit: pageQuery.shape.limit, cursor: pageQuery.shape.cursor });

  app.get('/api/v1/roles', { config: { permission: 'roles.read' }, schema: { ...roles, summary: 'List roles', querystring: roleQuery, response: { 200: page(roleOut) } } }, async (request) =>
    svc.listRoles(actorOf(request), request.query),
  );

  app.get('/api/v1/roles/:id', { config: { permission: 'roles.read' }, schema: { ...roles, summary: 'One role', params: idParams, response: { 200: roleOut } } }, async (request) =>
    svc.getRole(actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/roles',
    { config: { permission: 'roles.write' }, schema: { ...roles, summary: 'Create a custom role', body: roleCreate, response: { 201: roleOut } } },
    async (request, reply) => reply.status(201).send(await svc.createRole(actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/roles/:id',
    { config: { permission: 'roles.write' }, schema: { ...roles, summary: 'Rename a role or change its permissions', params: idParams, body: rolePatch, response: { 200: roleOut } } },
    async (request) => svc.patchRole(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/roles/:id',
    { config: { permission: 'roles.write' }, schema: { ...roles, summary: 'Delete a custom role nobody holds', params: idParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await svc.deleteRole(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/permissions',
    { config: { permission: 'roles.read' }, schema: { ...roles, summary: 'The permission catalogue, named in the caller\'s language', response: { 200: z.array(permissionOut) } } },
    async (request) => svc.permissions(actorOf(request).locale),
  );

  app.get(
    '/api/v1/audit',
    {
      config: { permission: 'audit.read' },
      schema: { tags: ['audit'], summary: 'Search the audit log, newest first (from inclusive, to exclusive)', querystring: auditQuery, response: { 200: page(auditItem) } },
    },
    async (request) => svc.searchAudit(actorOf(request), request.query),
  );
}
