/**
 * Problems and errors of the pure core. A problem names the field (a path such as
 * `weekly.1[0].end` or `holidays[3].date`), a message key (`code`) and the values the message
 * needs. The shape is the one `platform/http` turns into RFC 9457 responses, so a service can
 * pass `error.problems` straight to `AppError.validation(...)`; the zh-CN / en-US texts of every
 * code are in `core/messages.ts`.
 */
export interface Problem {
  field: string;
  code: string;
  /** A string array lists message keys the edge translates and joins (a unit's name in the reader's language). */
  params: Record<string, string | number | string[]>;
}

/** Base of every error the core throws: a message key, its parameters and, for invalid input, the problems. */
export class CoreError extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number> = {},
    readonly problems: Problem[] = [],
  ) {
    super(problems.length > 0 ? `${code}: ${problems.map((p) => `${p.field || '(root)'} ${p.code}`).join('; ')}` : `${code} ${JSON.stringify(params)}`);
    this.name = new.target.name;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
