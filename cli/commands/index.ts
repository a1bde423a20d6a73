import type { Command } from '../command.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';

// Every rp9 command, one module each under cli/commands/.
export const commands: Command[] = [
  validateCommand,
  statusCommand,
];
