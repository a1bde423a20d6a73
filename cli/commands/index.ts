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
  { name: ['purge'], summary: 'Delete the volumes, database, role and secrets a tenant removed from git left behind', load: async () => (await import('./purge.js')).purgeCommand },
  { name: ['status'], summary: 'Show the status the controller recorded, for all tenants or one', load: async () => (await import('./status.js')).statusCommand },
  { name: ['bots'], summary: 'Run every bot on its schedule (policies.<bot>.schedule) until stopped', load: async () => (await import('./bots.js')).botsCommand },
  { name: ['bots', 'run'], summary: 'Run one bot now: autoscale, promotion, upgrades, enforcement or stripe-sync', load: async () => (await import('./bots.js')).botsRunCommand },
  { name: ['check-pr'], summary: 'Check a pull request: validation, bot field ownership, and the plan it causes', load: async () => (await import('./check-pr.js')).checkPrCommand },
  { name: ['check-pr-comment'], summary: 'Post a saved check-pr plan as the sticky PR comment (fork pull requests, from a workflow_run workflow)', load: async () => (await import('./check-pr-comment.js')).checkPrCommentCommand },
  { name: ['backup', 'create'], summary: 'Back up a tenant now: database, workflows and credentials, encrypted and verified', load: async () => (await import('./backup.js')).backupCreateCommand },
  { name: ['backup', 'list'], summary: 'List catalogued backups, newest first', load: async () => (await import('./backup.js')).backupListCommand },
  { name: ['backup', 'verify'], summary: 'Download, decrypt and check a backup against its manifest', load: async () => (await import('./backup.js')).backupVerifyCommand },
  { name: ['restore'], summary: 'Restore a backup into a sandbox (a dedicated stack removed when its TTL ends), or in place', load: async () => (await import('./restore.js')).restoreCommand },
  { name: ['drills', 'run'], summary: 'Run a restore drill now, for one tenant or every tenant with a verified backup', load: async () => (await import('./drills.js')).drillsRunCommand },
  { name: ['drills', 'list'], summary: 'List restore drills, newest first, with result and RTO', load: async () => (await import('./drills.js')).drillsListCommand },
  { name: ['tenant', 'events'], summary: 'Show a tenant\'s events of the last hours (default 2), oldest first', load: async () => (await import('./tenant-events.js')).tenantEventsCommand },
  { name: ['tenant', 'promote'], summary: 'Open (or update) the pull request that promotes a shared tenant to dedicated (playbook 1)', load: async () => (await import('./tenant-promote.js')).tenantPromoteCommand },
  { name: ['tenant', 'failover'], summary: 'Open (or update) the emergency pull request that moves a dedicated tenant back to shared, and follow it (playbook 5)', load: async () => (await import('./tenant-failover.js')).tenantFailoverCommand },
  { name: ['tenant', 'restart'], summary: 'Restart a dedicated tenant\'s containers, record it, and wait for health (playbook 5)', load: async () => (await import('./tenant-restart.js')).tenantRestartCommand },
  { name: ['tenant', 'upgrade-status'], summary: 'Show a tenant\'s newest blue/green n8n upgrade from the journal', load: async () => (await import('./tenant-upgrade-status.js')).tenantUpgradeStatusCommand },
  { name: ['tenant', 'rollback'], summary: 'Take a tenant back from its blue/green n8n upgrade: to green during the watch, or restore the pre-upgrade backup after cleanup (--confirm)', load: async () => (await import('./tenant-rollback.js')).tenantRollbackCommand },
  { name: ['simulate'], summary: "Replay workload traces through rp9's bots and the spec's naive autoscale rules, and compare them", load: async () => (await import('./simulate.js')).simulateCommand },
  { name: ['api'], summary: 'Call the controller\'s signed API: rp9 api GET /tenants/acme', load: async () => (await import('./api.js')).apiCommand },
  { name: ['analytics'], summary: 'Capacity analytics from the controller\'s API: growth, utilization, promotion-forecast, costs, recommendations', load: async () => (await import('./analytics.js')).analyticsCommand },
  { name: ['controller'], summary: 'Run the reconcile loop: converge Docker, Traefik and PostgreSQL to the config repo', load: async () => (await import('./controller.js')).controllerCommand },
];
