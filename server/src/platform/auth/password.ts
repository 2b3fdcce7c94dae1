import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { Config } from '../../config.js';
import type { FieldProblem } from '../http/errors.js';

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
 * The seeds' rule (REQ §6): more than 10 characters, with upper- and lower-case letters,
 * digits and symbols. Length and classes are configurable.
 */
export function checkPasswordPolicy(policy: Config['password'], password: string, username?: string, field = 'password'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if ([...password].length < policy.minLength) problems.push({ field, code: 'password.tooShort', params: { min: policy.minLength } });
  const missing = policy.classes.filter((c) => !CLASS_TESTS[c].test(password));
  if (missing.length) problems.push({ field, code: 'password.missingClasses', params: { classes: missing.map((c) => `password.class.${c}`) } });
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) problems.push({ field, code: 'password.containsUsername' });
  if (password.length > 256) problems.push({ field, code: 'tooLong', params: { max: 256 } });
  return problems;
}
