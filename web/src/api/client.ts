// Typed fetch wrapper for the Yunwei REST API (docs/API.md).
// - JSON in/out, cookies same-origin
// - X-CSRF-Token from the `yw_csrf` cookie on writes
// - RFC 9457 problem+json parsed into ApiError
// - 401 → onUnauthorized (redirect to /login) unless the caller opts out
import type { FormInstance } from 'antd';

export const API_BASE = '/api/v1';

export interface FieldError {
  field: string;
  message: string;
  code?: string;
  /** Some endpoints (Excel import) name the row and column of the error. */
  row?: number;
  column?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly code?: string;
  readonly errors: FieldError[];
  readonly problem: Problem;
  readonly retryAfter?: number;

  constructor(status: number, problem: Problem, retryAfter?: number) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail;
    this.code = problem.code;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

// ---------------------------------------------------------------------------
// Module state set by the app: current language (Accept-Language) and the
// 401 handler (router navigation to /login).

let currentLocale = 'zh-CN';
export function setApiLocale(locale: string): void {
  currentLocale = locale;
}

let csrfFallback: string | null = null;
/** Login returns the CSRF token too; kept in case the cookie is unreadable. */
export function setCsrfToken(token: string | null): void {
  csrfFallback = token;
}

let unauthorizedHandler: () => void = () => {
  if (!window.location.pathname.startsWith('/login')) {
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(`/login?next=${next}`);
  }
};
export function setUnauthorizedHandler(fn: () => void): void {
  unauthorizedHandler = fn;
}

export function readCookie(name: string): string | null {
  const parts = document.cookie ? document.cookie.split('; ') : [];
  for (const part of parts) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i) === name) return decodeURIComponent(part.slice(i + 1));
  }
  return null;
}

// ---------------------------------------------------------------------------

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** FormData bodies are sent as multipart (no JSON content type). */
  signal?: AbortSignal;
  /** Do not redirect on 401 (login form, the initial "who am I" probe). */
  noAuthRedirect?: boolean;
}

export function buildUrl(path: string, query?: Query): string {
  const url = path.startsWith('/api/') || path.startsWith('http') ? path : API_BASE + path;
  if (!query) return url;
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `${url}${url.includes('?') ? '&' : '?'}${s}` : url;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': currentLocale,
  };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) {
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET') {
    const csrf = readCookie('yw_csrf') ?? csrfFallback;
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'network', code: 'network', detail: String((e as Error)?.message ?? e) });
  }

  if (res.status === 204) return undefined as T;
  const ctype = res.headers.get('content-type') ?? '';
  const isJson = ctype.includes('json');
  const payload: unknown = isJson ? await res.json().catch(() => null) : await res.text().catch(() => '');

  if (!res.ok) {
    const problem: Problem =
      isJson && payload && typeof payload === 'object'
        ? (payload as Problem)
        : { title: res.statusText || `HTTP ${res.status}`, status: res.status };
    const ra = res.headers.get('retry-after');
    const retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : undefined;
    const err = new ApiError(res.status, problem, retryAfter);
    if (res.status === 401 && !opts.noAuthRedirect) unauthorizedHandler();
    throw err;
  }
  return (isJson ? payload : (payload as unknown)) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, opts?: Omit<RequestOptions, 'method' | 'query'>) =>
    request<T>(path, { ...opts, method: 'GET', query }),
  post: <T>(path: string, body?: unknown, opts?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(path, { ...opts, method: 'POST', body }),
  patch: <T>(path: string, body?: unknown, opts?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(path, { ...opts, method: 'PATCH', body }),
  put: <T>(path: string, body?: unknown, opts?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(path, { ...opts, method: 'PUT', body }),
  del: <T = void>(path: string, opts?: Omit<RequestOptions, 'method'>) =>
    request<T>(path, { ...opts, method: 'DELETE' }),
};

// ---------------------------------------------------------------------------
// Keyset pages

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Accepts `{items,nextCursor}` or a bare array (some small lists). */
export function asPage<T>(data: Page<T> | T[] | null | undefined): Page<T> {
  if (!data) return { items: [], nextCursor: null };
  if (Array.isArray(data)) return { items: data, nextCursor: null };
  return { items: data.items ?? [], nextCursor: data.nextCursor ?? null };
}

/** Follows nextCursor until the end (for small lists: sites, roles, permissions). */
export async function fetchAll<T>(path: string, query: Query = {}, max = 2000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = asPage(
      await api.get<Page<T> | T[]>(path, { ...query, limit: 200, cursor: cursor ?? undefined }),
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

// ---------------------------------------------------------------------------
// Field errors → antd Form

/** "body.contacts.0.phone" | "/contacts/0/phone" | "contacts[0].phone" → ['contacts', 0, 'phone'] */
export function fieldPath(field: string): (string | number)[] {
  const cleaned = field
    .replace(/^#?\//, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\//g, '.')
    .replace(/^body\./, '');
  return cleaned
    .split('.')
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Puts the server's field errors onto the form's fields (never touching their values,
 * so typed text is kept). Returns the errors that match no field of the form, for the
 * caller to show as a general message. `aliases` maps server field names to form names.
 */
export function applyFieldErrors(
  form: FormInstance,
  err: unknown,
  aliases: Record<string, string | (string | number)[]> = {},
): FieldError[] {
  if (!isApiError(err) || err.errors.length === 0) return [];
  const registered = new Set(form.getFieldsError().map((f) => JSON.stringify(f.name)));
  const grouped = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const unmatched: FieldError[] = [];
  for (const fe of err.errors) {
    const alias = aliases[fe.field];
    let name = alias ? (Array.isArray(alias) ? alias : fieldPath(alias)) : fieldPath(fe.field ?? '');
    // "services.2" on a tags select belongs to the "services" field
    while (name.length > 1 && !registered.has(JSON.stringify(name))) name = name.slice(0, -1);
    const key = JSON.stringify(name);
    if (!registered.has(key)) {
      unmatched.push(fe);
      continue;
    }
    const g = grouped.get(key) ?? { name, errors: [] };
    g.errors.push(fe.message);
    grouped.set(key, g);
  }
  const fields = [...grouped.values()];
  if (fields.length) {
    form.setFields(fields);
    form.scrollToField(fields[0].name, { block: 'center' });
  }
  return unmatched;
}
