import type { OptionSpec } from '../command.js';

/** Options shared by the commands that act on the platform (plan, controller, purge). */
export const platformOptions: Record<string, OptionSpec> = {
  'state-dir': { type: 'string', valueName: 'path', description: 'State directory of the embedded store and git cache (env RP9_STATE_DIR; default .rp9)' },
  'routes-dir': { type: 'string', valueName: 'path', description: 'Directory Traefik watches for rp9 route files (env RP9_ROUTES_DIR; default <state-dir>/traefik)' },
};
