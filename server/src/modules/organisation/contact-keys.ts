import { pinyin } from 'pinyin-pro';

/**
 * The keys the desk's caller lookup searches besides the name and the phone's leading digits
 * (docs/TICKETS.md, "Finding the caller"), stored on each contact and indexed:
 * - the name's full pinyin and its initials, lower-case letters only (徐丽华 → xulihua, xlh),
 *   surnames read as surnames (单 → shan, 曾 → zeng), ü as v; letters and digits of a
 *   non-Chinese name are kept (Tom张 → tomzhang, tz);
 * - the last four digits of the phone and of the mobile ("尾号 6666");
 * - a landline's local number without its area code (010-8888 6666 → 88886666).
 */
export interface ContactKeys {
  name_pinyin: string | null;
  name_initials: string | null;
  phone_tail: string | null;
  mobile_tail: string | null;
  phone_local: string | null;
}

/** The name's full pinyin and initials (null when the name has no letters at all). */
export function nameKeys(name: string): { pinyin: string | null; initials: string | null } {
  const syllables = pinyin(name, { toneType: 'none', type: 'array', surname: 'head', nonZh: 'consecutive', v: true })
    .map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .filter(Boolean);
  if (!syllables.length) return { pinyin: null, initials: null };
  return { pinyin: syllables.join('').slice(0, 200), initials: syllables.map((s) => s[0]).join('').slice(0, 50) };
}

/** The last four digits of a phone key (digits only), when it has at least seven. */
export function phoneTail(key: string | null): string | null {
  return key && key.length >= 7 ? key.slice(-4) : null;
}

/**
 * A mainland landline's local number: the digits after the area code (010 and 02x are three
 * digits with the leading 0, the others four), when 7 or 8 digits remain. Null for mobiles,
 * numbers typed without an area code (their key already is the local number) and the rest.
 */
export function localNumber(key: string | null): string | null {
  if (!key || !key.startsWith('0') || key.startsWith('00')) return null;
  const local = key.slice(key[1] === '1' || key[1] === '2' ? 3 : 4);
  return /^[2-9]\d{6,7}$/.test(local) ? local : null;
}

/** Every search key of a contact, from its name and the phone keys (contacts.phone_key, mobile_key). */
export function contactKeys(name: string, phoneKey: string | null, mobileKey: string | null): ContactKeys {
  const n = nameKeys(name);
  return { name_pinyin: n.pinyin, name_initials: n.initials, phone_tail: phoneTail(phoneKey), mobile_tail: phoneTail(mobileKey), phone_local: localNumber(phoneKey) };
}

/**
 * What kind of lookup a query is: digits (a number's beginning, its last four, a landline's local
 * number), letters (a name's pinyin or initials, and the name itself), or other text (names,
 * sites and departments).
 */
export function queryKind(text: string): 'digits' | 'letters' | 'text' {
  if (/^[0-9+\-\s()]+$/.test(text) && /\d/.test(text)) return 'digits';
  if (/^[a-zA-Z\s']+$/.test(text)) return 'letters';
  return 'text';
}
