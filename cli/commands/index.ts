import type { Command } from '../command.js';
import { botsCommand, botsRunCommand } from './bots.js';
import { checkPrCommand } from './check-pr.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';

// Every rp9 command, one module each under cli/commands/.
export const commands: Command[] = [
  validateCommand,
  statusCommand,
  botsCommand, botsRunCommand,
  checkPrCommand,
];
