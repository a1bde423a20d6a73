import type { Command } from '../command.js';

/** A command as the top-level help lists it; its module (and its dependencies) load only when it runs. */
export interface CommandEntry {
  name: string[];
  summary: string;
  load(): Promise<Command>;
}

// Every rp9 command, one module each under cli/commands/.
export const commands: CommandEntry[] = [
  { name: ['validate'], summary: 'Check platform.yaml and tenants/*.yaml against the schemas and the platform rules', load: async () => (await import('./validate.js')).validateCommand },
  { name: ['plan'], summary: 'Show what the controller would change, without changing anything', load: async () => (await import('./plan.js')).planCommand },
  { name: ['status'], summary: 'Show the status the controller recorded, for all tenants or one', load: async () => (await import('./status.js')).statusCommand },
  { name: ['controller'], summary: 'Run the reconcile loop: converge Docker, Traefik and PostgreSQL to the config repo', load: async () => (await import('./controller.js')).controllerCommand },
];
