import type { Command } from 'commander';

/** `demo`, `backup FILE`, `restore FILE` (filled by the ops work). */
export function registerOpsCommands(_program: Command): void {}
