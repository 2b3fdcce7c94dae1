import { describe, expect, it } from 'vitest';
import { MIGRATION_NAMES } from './migrate.js';

describe('the migration list', () => {
  it('is in name order, without duplicates (backups compare it position by position with the migrations they were taken with)', () => {
    expect([...MIGRATION_NAMES]).toEqual([...new Set(MIGRATION_NAMES)].sort());
    for (const name of MIGRATION_NAMES) expect(name).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });
});
