import type { Command } from 'commander';

/** `admin create`, `token create`, `audit verify` (filled by the accounts work). */
export function registerAccountCommands(_program: Command): void {}
