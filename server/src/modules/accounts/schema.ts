import { z } from 'zod';
import { PERMISSION_CODES } from '../../platform/auth/permissions.js';
import { LOCALES } from '../../platform/i18n/index.js';
import { email, id, instant, optionalText, pageQuery } from '../../platform/http/zod.js';

/** The HTTP contracts of users, roles, permissions and the audit log search. */

type Rule = [code: string, params?: Record<string, unknown>];

/**
 * Required text that tells "empty", "only whitespace" and "too long" apart, so a user who typed
 * only spaces is told so rather than that the field is missing. Trimmed on the way in.
 */
function requiredText(max: number, min = 1, extra?: (s: string) => Rule | null) {
  return z
    .string()
    .superRefine((raw, ctx) => {
      const s = raw.trim();
      let rule: Rule | null;
      if (raw.length === 0) rule = ['required'];
      else if (s.length === 0) rule = ['blank'];
      else if (s.length < min) rule = ['tooShort', { min }];
      else if (s.length > max) rule = ['tooLong', { max }];
      else rule = extra?.(s) ?? null;
      if (rule) ctx.addIssue({ code: 'custom', params: { code: rule[0], ...rule[1] } });
    })
    .transform((s) => s.trim());
}

const USERNAME_RE = /^[A-Za-z0-9._@-]+$/;
export const username = requiredText(64, 3, (s) => (USERNAME_RE.test(s) ? null : ['accounts.usernameChars']));
export const displayName = requiredText(100);
const locale = z.enum(LOCALES as [string, ...string[]]);
const phone = optionalText(40);
const roleCodes = z.array(z.string().trim().min(1).max(40)).min(1).max(20);
const teamIds = z.array(id).max(100);

export const userOut = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.string(),
  roleCodes: z.array(z.string()),
  customerId: z.number().nullable(),
  /** The contact of that customer this user is (the portal reports in that contact's name). */
  contactId: z.number().nullable(),
  teamIds: z.array(z.number()),
  disabled: z.boolean(),
  /** Set while a lockout after failed logins is still running. */
  lockedUntil: z.string().nullable(),
  passwordChangedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
export type UserOut = z.infer<typeof userOut>;

export const userListQuery = pageQuery.extend({
  role: z.string().trim().max(40).optional(),
  customerId: id.optional(),
  teamId: id.optional(),
  disabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type UserListQuery = z.infer<typeof userListQuery>;

export const userCreate = z.strictObject({
  username,
  displayName,
  email: email.optional(),
  phone: phone.optional(),
  locale: locale.default('zh-CN'),
  roleCodes,
  /** Absent for a customer administrator's call: his own customer. */
  customerId: id.nullable().optional(),
  /** Customer users only: a contact of the same customer. */
  contactId: id.nullable().optional(),
  teamIds: teamIds.default([]),
  /** Checked by the password policy in the service (it needs the username too). */
  password: z.string().min(1).max(1000),
});
export type UserCreate = z.infer<typeof userCreate>;

export const userPatch = z.strictObject({
  version: z.number().int().positive(),
  displayName: displayName.optional(),
  email: email.optional(),
  phone: phone.optional(),
  locale: locale.optional(),
  roleCodes: roleCodes.optional(),
  customerId: id.nullable().optional(),
  /** Absent: kept, unless the customer changes (the link then goes, as it would point elsewhere). */
  contactId: id.nullable().optional(),
  teamIds: teamIds.optional(),
});
export type UserPatch = z.infer<typeof userPatch>;

export const passwordReset = z.strictObject({ newPassword: z.string().min(1).max(1000) });

const ROLE_CODE_RE = /^[a-z][a-z0-9_]{1,39}$/;
const permissionList = z
  .array(z.string().refine((s) => PERMISSION_CODES.has(s), { params: { code: 'accounts.unknownPermission' } }))
  .max(100)
  // Stored sorted and once each, so before/after in the audit log compare cleanly.
  .transform((ps) => [...new Set(ps)].sort());

export const roleOut = z.object({
  id: z.number(),
  code: z.string(),
  /** In the caller's language. */
  name: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  builtin: z.boolean(),
  permissions: z.array(z.string()),
  userCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
export type RoleOut = z.infer<typeof roleOut>;

export const roleCreate = z.strictObject({
  code: z.string().refine((s) => ROLE_CODE_RE.test(s), { params: { code: 'accounts.roleCode' } }),
  nameZh: requiredText(100),
  nameEn: requiredText(100),
  permissions: permissionList,
});
export type RoleCreate = z.infer<typeof roleCreate>;

export const rolePatch = z.strictObject({
  version: z.number().int().positive(),
  nameZh: requiredText(100).optional(),
  nameEn: requiredText(100).optional(),
  permissions: permissionList.optional(),
});
export type RolePatch = z.infer<typeof rolePatch>;

export const permissionOut = z.object({ code: z.string(), group: z.string(), name: z.string() });

export const auditQuery = z.object({
  limit: pageQuery.shape.limit,
  cursor: pageQuery.shape.cursor,
  entity: z.string().trim().max(50).optional(),
  entityId: z.string().trim().max(100).optional(),
  actorId: id.optional(),
  action: z.string().trim().max(50).optional(),
  /** Inclusive. */
  from: instant.optional(),
  /** Exclusive. */
  to: instant.optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditItem = z.object({
  id: z.number(),
  at: z.string(),
  actorId: z.number().nullable(),
  /** The login name recorded with the entry. */
  actorName: z.string(),
  /** The actor's display name today (null for the system or a deleted user). */
  actorDisplayName: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  /** The number people know the record by: a ticket's number (entity tickets), a repair report's (repair_reports). */
  entityNumber: z.string().nullable(),
  customerId: z.number().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditItem = z.infer<typeof auditItem>;
