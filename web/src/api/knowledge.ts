// Types and paths of the knowledge base API (server/src/modules/knowledge/schema.ts, docs/KNOWLEDGE.md).

export const KB = '/knowledge/articles';
export const ARTICLE_KINDS = ['solution', 'howto', 'faq', 'known_error', 'document'] as const;
export type ArticleKind = (typeof ARTICLE_KINDS)[number];
export const ARTICLE_STATES = ['draft', 'in_review', 'published', 'needs_review', 'archived'] as const;
export type ArticleState = (typeof ARTICLE_STATES)[number];
export const AUDIENCES = ['internal', 'customers', 'named'] as const;
export type Audience = (typeof AUDIENCES)[number];
export type WorkflowAction = 'submit' | 'publish' | 'reject' | 'confirm' | 'archive' | 'reopen';

export interface ArticleSummary {
  id: number;
  number: string;
  kind: ArticleKind;
  title: string;
  excerpt: string;
  category: string | null;
  tags: string[];
  audience: Audience;
  customerId: number | null;
  customerName: string | null;
  state: ArticleState;
  ownerId: number | null;
  ownerName: string | null;
  views: number;
  useful: number;
  notUseful: number;
  version: number;
  updatedAt: string;
  publishedAt: string | null;
  reviewDueAt: string | null;
}

export interface KbFile {
  id: number;
  name: string;
  mime: string;
  size: number;
  inline: boolean;
  hasText: boolean;
}

export interface Article extends ArticleSummary {
  symptom: string | null;
  cause: string | null;
  appliesTo: string | null;
  bodyHtml: string;
  linkedServices: string[];
  ciTypes: string[];
  audienceCustomerIds: number[];
  reviewerId: number | null;
  reviewerName: string | null;
  sourceTicketId: number | null;
  sourceTicketNumber: string | null;
  submittedAt: string | null;
  reviewedAt: string | null;
  createdAt: string;
  files: KbFile[];
  myVote: boolean | null;
  allowedActions: Array<WorkflowAction | 'edit'>;
}

export interface ArticleVersion {
  version: number;
  change: string;
  restoredFrom: number | null;
  authorName: string;
  createdAt: string;
  title: string;
}

export interface DiffPart {
  op: 'same' | 'added' | 'removed';
  text: string;
}

export interface Suggestions {
  articles: Array<{ id: number; number: string; kind: ArticleKind; title: string; excerpt: string; useful: number; sendable: boolean }>;
  tickets: Array<{ id: number; number: string; title: string; state: string; reportedAt: string }>;
}

export interface Submissions {
  week: string;
  from: string;
  to: string;
  timeZone: string;
  people: Array<{ userId: number | null; name: string; created: number; updated: number; articles: Array<{ id: number; number: string; title: string; kind: ArticleKind; state: ArticleState; action: 'created' | 'updated'; at: string }> }>;
  reviewQueue: ArticleSummary[];
}

export interface WeeklyReport {
  timeZone: string;
  weeks: string[];
  rows: Array<{ customerId: number | null; customerName: string; created: number[]; updated: number[]; total: number }>;
}
