/**
 * The knowledge articles' review workflow (docs/KNOWLEDGE.md), as pure rules:
 *
 *   draft ──submit──▶ in_review ──publish──▶ published ──(review due / CI type changed)──▶ needs_review
 *     ▲                  │ reject                │                                          │ confirm (reviewed again)
 *     └──────────────────┘                       ◀──────────────────────────────────────────┘
 *   draft, in_review, published, needs_review ──archive──▶ archived ──reopen──▶ draft
 *
 * Publishing, rejecting, confirming and archiving are the reviewer's (knowledge.review); a
 * writer submits his drafts and reopens archived ones. Only published and needs_review articles
 * are read outside the provider (a needs_review article stays readable while it waits: its text
 * was right when last reviewed, and hiding it would take the answer from the desk overnight).
 */
export const ARTICLE_STATES = ['draft', 'in_review', 'published', 'needs_review', 'archived'] as const;
export type ArticleState = (typeof ARTICLE_STATES)[number];

export const WORKFLOW_ACTIONS = ['submit', 'publish', 'reject', 'confirm', 'archive', 'reopen'] as const;
export type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

export const ARTICLE_KINDS = ['solution', 'howto', 'faq', 'known_error', 'document'] as const;
export type ArticleKind = (typeof ARTICLE_KINDS)[number];

export const AUDIENCES = ['internal', 'customers', 'named'] as const;
export type Audience = (typeof AUDIENCES)[number];

interface Rule {
  from: readonly ArticleState[];
  to: ArticleState;
  /** The permission the action needs besides knowledge.write. */
  review: boolean;
}

const RULES: Record<WorkflowAction, Rule> = {
  submit: { from: ['draft'], to: 'in_review', review: false },
  publish: { from: ['in_review'], to: 'published', review: true },
  reject: { from: ['in_review'], to: 'draft', review: true },
  confirm: { from: ['needs_review'], to: 'published', review: true },
  archive: { from: ['draft', 'in_review', 'published', 'needs_review'], to: 'archived', review: true },
  reopen: { from: ['archived'], to: 'draft', review: false },
};

export type TransitionResult = { ok: true; to: ArticleState } | { ok: false; reason: 'state' | 'permission' };

/** Whether `action` may move an article in `from`, for a caller who may (or may not) review. */
export function transition(from: ArticleState, action: WorkflowAction, canReview: boolean): TransitionResult {
  const rule = RULES[action];
  if (!rule.from.includes(from)) return { ok: false, reason: 'state' };
  if (rule.review && !canReview) return { ok: false, reason: 'permission' };
  return { ok: true, to: rule.to };
}

/** The actions the caller could take on an article in `state` (for the page's buttons). */
export function allowedActions(state: ArticleState, canReview: boolean): WorkflowAction[] {
  return WORKFLOW_ACTIONS.filter((a) => transition(state, a, canReview).ok);
}

/** States whose articles customers and suggestions can see. */
export const READABLE_STATES: readonly ArticleState[] = ['published', 'needs_review'];

/** Archived articles are kept as they were; every other state takes edits. */
export function editable(state: ArticleState): boolean {
  return state !== 'archived';
}

/** Months after a review when a published article is due to be reviewed again. */
export const DEFAULT_REVIEW_MONTHS = 12;

/**
 * When an article reviewed at `reviewedAt` is due for review again: the same day of the month
 * `months` later (clamped to the month's last day, as 31 Jan + 1 month = 28/29 Feb), same time.
 */
export function reviewDueAt(reviewedAt: number, months = DEFAULT_REVIEW_MONTHS): number {
  const d = new Date(reviewedAt);
  const day = d.getUTCDate();
  const target = new Date(reviewedAt);
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, last));
  return target.getTime();
}

/** Whether a published article is due for review at `now`. */
export function isReviewDue(state: ArticleState, dueAt: number | null, now: number): boolean {
  return state === 'published' && dueAt !== null && dueAt <= now;
}
