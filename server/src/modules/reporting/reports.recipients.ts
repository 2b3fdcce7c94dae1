import type { DbOrTx } from '../../db/index.js';
import type { FieldProblem } from '../../platform/http/errors.js';
import * as repo from './reports.repo.js';

/**
 * Who receives an issued report (mail and in-app, `report.issued`): users of the report's
 * customer. The contract's plan may name them; otherwise the customer's administrators — its
 * users holding reports.signoff, who sign the report off. The PM sees the choice when issuing
 * and may change it for that issue.
 */

export interface RecipientCandidate {
  id: number;
  name: string;
  email: string | null;
  /** Holds reports.signoff: one of the customer's administrators (the default recipients). */
  admin: boolean;
}

export interface RecipientChoice {
  /** The customer's enabled users, administrators first, then by name. */
  candidates: RecipientCandidate[];
  /** Who is told unless the PM changes it: the plan's recipients, else the administrators. */
  selected: number[];
  source: 'plan' | 'admins';
}

/** The customer's enabled users with their e-mail and whether each is an administrator. */
export async function recipientCandidates(db: DbOrTx, customerId: number): Promise<RecipientCandidate[]> {
  const users = await db.selectFrom('users').select(['id', 'display_name', 'email']).where('customer_id', '=', customerId).where('disabled', '=', 0).execute();
  const admins = new Set(await repo.customerUsersWith(db, customerId, 'reports.signoff'));
  return users
    .map((u) => ({ id: Number(u.id), name: u.display_name, email: u.email, admin: admins.has(Number(u.id)) }))
    .sort((a, b) => Number(b.admin) - Number(a.admin) || a.name.localeCompare(b.name, 'zh') || a.id - b.id);
}

/** The candidates and the default selection for a contract's customer, given the plan's recipients. */
export async function recipientChoice(db: DbOrTx, customerId: number, planRecipients: number[]): Promise<RecipientChoice> {
  const candidates = await recipientCandidates(db, customerId);
  const enabled = new Set(candidates.map((c) => c.id));
  // A plan naming users since disabled or moved keeps only those who can still receive it.
  const fromPlan = planRecipients.filter((id) => enabled.has(id));
  if (fromPlan.length) return { candidates, selected: fromPlan, source: 'plan' };
  return { candidates, selected: candidates.filter((c) => c.admin).map((c) => c.id), source: 'admins' };
}

/**
 * One problem per recipient who is not an enabled user of this customer (another customer's
 * user, provider staff, a disabled or unknown account), naming the field: `recipients[2]`. The
 * message names the id the caller sent and this customer, nothing of the other account.
 */
export async function recipientProblems(db: DbOrTx, customer: { id: number; name: string }, ids: number[], field = 'recipients'): Promise<FieldProblem[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).where('customer_id', '=', customer.id).where('disabled', '=', 0).execute();
  const ok = new Set(rows.map((r) => Number(r.id)));
  const problems: FieldProblem[] = [];
  ids.forEach((id, i) => {
    if (!ok.has(id)) problems.push({ field: `${field}[${i}]`, code: 'reports.recipientUnknown', params: { id, customer: customer.name } });
  });
  return problems;
}
