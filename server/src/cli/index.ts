import type { Command } from 'commander';
import { registerAccountCommands } from './accounts.js';
import { registerOpsCommands } from './ops.js';
import { registerSearchCommands } from './search.js';
import { registerEvidenceCommands } from './evidence.js';

/** Every CLI command group, in one place. */
export function registerCommands(program: Command): void {
  registerAccountCommands(program);
  registerOpsCommands(program);
  registerSearchCommands(program);
  registerEvidenceCommands(program);
}
