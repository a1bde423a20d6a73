import type { Command } from '../command.js';
import { controllerCommand } from './controller.js';
import { planCommand } from './plan.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';

// Every rp9 command, one module each under cli/commands/.
export const commands: Command[] = [
  validateCommand,
  planCommand,
  statusCommand,
  controllerCommand,
];
