import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (e2e/..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots of failed tests and the server's log land here (gitignored). */
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
/** Debian's chromium; `scripts/test.mjs` installs it with apt-get. Never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** The password of every demo login (server/src/ops/demo.ts). */
export const DEMO_PASSWORD = 'Yunwei@2026demo';

/** Demo customers (server/src/ops/demo.ts). */
export const DEMO = {
  hospital: { code: 'JZRMYY', name: '江州市人民医院' },
  tax: { code: 'JZSWJ', name: '江州市税务局' },
  school: { name: '江州市明德中学' },
} as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the server started by the global setup. */
    baseURL: string;
    /** Where the test SMTP server keeps the mail the server sent, one JSON file each (support/mail.ts). */
    mailDir: string;
  }
}
