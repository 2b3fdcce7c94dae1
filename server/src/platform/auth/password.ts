import { createRequire } from 'node:module';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { Config } from '../../config.js';
import type { FieldProblem } from '../http/errors.js';

const require = createRequire(import.meta.url);

// OWASP's argon2id baseline (m=19 MiB, t=2, p=1): ~70 ms per hash on these machines.
const ARGON = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the username does not exist, so the
 * response time does not reveal which usernames exist. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(`dummy-${Math.random()}-Aa1!`);
  return dummy;
}

const CLASS_TESTS: Record<string, RegExp> = {
  upper: /\p{Lu}/u,
  lower: /\p{Ll}/u,
  digit: /\p{Nd}/u,
  symbol: /[^\p{L}\p{Nd}\s]/u,
};

/**
 * The common-password list: zxcvbn-ts's (about 49,000 passwords from public breach corpora,
 * lower-case), loaded on first use (about 15 ms) and synchronously, so the policy check stays a
 * plain function for its callers.
 */
let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  common ??= new Set((require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common')).dictionary['passwords-common']);
  return common;
}

/**
 * A password is common when it, or its core without leading and trailing digits and symbols
 * ("Password2026!" → "password"), is on the list, ignoring case: decorating a listed password
 * to meet the class rules leaves it as guessable.
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const lower = password.toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  return list.has(lower) || (core.length >= 4 && list.has(core));
}

/**
 * The seeds' rule (REQ §6): more than 10 characters, with upper- and lower-case letters,
 * digits and symbols. Length and classes are configurable. Never: leading or trailing
 * whitespace (a pasted password keeps its padding, and a typed one loses it), the username,
 * or a common password.
 */
export function checkPasswordPolicy(policy: Config['password'], password: string, username?: string, field = 'password'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if ([...password].length < policy.minLength) problems.push({ field, code: 'password.tooShort', params: { min: policy.minLength } });
  const missing = policy.classes.filter((c) => !CLASS_TESTS[c].test(password));
  if (missing.length) problems.push({ field, code: 'password.missingClasses', params: { classes: missing.map((c) => `password.class.${c}`) } });
  if (password !== password.trim()) problems.push({ field, code: 'password.whitespace' });
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) problems.push({ field, code: 'password.containsUsername' });
  if (isCommonPassword(password)) problems.push({ field, code: 'password.common' });
  if (password.length > 256) problems.push({ field, code: 'tooLong', params: { max: 256 } });
  return problems;
}
