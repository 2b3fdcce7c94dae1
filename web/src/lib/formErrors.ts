import type { FormInstance } from 'antd';
import { fieldPath, isApiError, type FieldError } from '../api/client';

type Name = (string | number)[];

/**
 * Like applyFieldErrors (api/client.ts) for editors whose form shape differs from the
 * document: `map` turns a server path (`policy.warnings[1]` → ['policy','warnings',1]) into
 * the form's name, or null. Errors land on the nearest registered field; the others are
 * returned for a list. Values are never touched, so typed text stays.
 */
export function setServerErrors(
  form: FormInstance,
  err: unknown,
  opts: { map?: (path: Name) => Name | null; scroll?: boolean; clearOld?: Name[][] } = {},
): FieldError[] {
  if (!isApiError(err) || err.errors.length === 0) return [];
  const registered = new Set(form.getFieldsError().map((f) => JSON.stringify(f.name)));
  const grouped = new Map<string, { name: Name; errors: string[] }>();
  const unmatched: FieldError[] = [];
  for (const fe of err.errors) {
    const raw = fieldPath(fe.field ?? '');
    let name = opts.map ? opts.map(raw) : raw;
    if (!name) {
      unmatched.push(fe);
      continue;
    }
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
    if (opts.scroll) form.scrollToField(fields[0].name, { block: 'center' });
  }
  return unmatched;
}

/** Removes every error shown on the form's fields (e.g. before showing a new set). */
export function clearFieldErrors(form: FormInstance) {
  const withErrors = form.getFieldsError().filter((f) => f.errors.length > 0);
  if (withErrors.length) form.setFields(withErrors.map((f) => ({ name: f.name, errors: [] })));
}
