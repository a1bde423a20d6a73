// `rp9 tenant upgrade-status <tenant>`: the tenant's newest blue/green upgrade
// from the journal: versions, colours, live colour, the step it is at, the
// pre-upgrade backup, the swap's hold, its catch-up and drain, the watch, and each step.
import { resolve } from 'node:path';
import { EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command } from '../command.js';
import { DEFAULT_STATE_DIR, embeddedStoreExists, openStore } from '../../controller/store/store.js';
import { UPGRADE_KIND } from '../../controller/upgrades/live-colour.js';
import { describeCatchUp, describePreSync, describeQuiet, upgradeView } from '../../controller/upgrades/upgrade-view.js';

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

export { upgradeView };

export function renderUpgradeText(tenant: string, view: ReturnType<typeof upgradeView>): string {
  const lines = [
    `Upgrade of ${tenant}: n8n ${view.from} → ${view.to} (${view.fromColour} → ${view.toColour}), operation ${view.id}`,
    `Status: ${view.status}${view.step ? `, at step ${view.step}` : ''}${view.error ? ` — ${view.error.replace(/[\u0000-\u001f\u007f]/g, ' ')}` : ''}`,
    `Live colour: ${view.liveColour}`,
    `Pre-upgrade backup: ${view.backupId ?? '(not yet)'}`,
  ];
  if (view.swappedAt) lines.push(`Swapped at ${view.swappedAt}${view.holdSeconds !== null ? ` (new work held ${view.holdSeconds.toFixed(1)} s)` : ''}`);
  if (view.preSync) lines.push(`Carried from green before the hold: ${describePreSync(view.preSync)}`);
  if (view.catchUp) lines.push(`Caught up from green under the hold: ${describeCatchUp(view.catchUp, view.drain)}`);
  if (view.quiet) lines.push(`Quiet blue: ${describeQuiet(view.quiet, view.blueActivation)}`);
  if (view.watchedSeconds !== null) lines.push(`Watch passed after ${view.watchedSeconds} s`);
  lines.push('Steps:', ...view.steps.map((s) => `  ${s.name.padEnd(14)} ${s.status}${s.error ? `  ${s.error.replace(/[\u0000-\u001f\u007f]/g, ' ')}` : ''}`));
  return `${lines.join('\n')}\n`;
}

export const tenantUpgradeStatusCommand: Command = {
  name: ['tenant', 'upgrade-status'],
  summary: 'Show a tenant\'s newest blue/green n8n upgrade from the journal',
  args: '<tenant>',
  description: [
    'Reads the state store only (DATABASE_URL, or the embedded store in --state-dir): the',
    'tenant\'s newest upgrade operation, its versions and colours, the live colour, the step',
    'it is at, the pre-upgrade backup, the swap\'s hold and the watch.',
    '',
    'Exit 0: shown; 1: the tenant has no upgrade in the journal; 2: usage or I/O error.',
    '',
    'Examples:',
    '  rp9 tenant upgrade-status acme',
    '  rp9 tenant upgrade-status acme -o json',
  ].join('\n'),
  options: {
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format' },
    'state-dir': { type: 'string', default: DEFAULT_STATE_DIR, valueName: 'dir', description: 'State directory of the embedded store' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the tenant' : `expected one tenant (got ${positionals.join(', ')})`);
    const tenant = positionals[0] as string;
    if (!TENANT_NAME.test(tenant) || tenant.length > 63) throw new UsageError(`"${tenant}" is not a tenant name`);
    const stateDir = resolve(io.cwd, String(values['state-dir'] ?? DEFAULT_STATE_DIR));
    const databaseUrl = io.env.DATABASE_URL?.trim();
    if (!databaseUrl && !embeddedStoreExists(stateDir)) {
      io.stderr.write(`rp9 tenant upgrade-status: [store.none] no state store in ${stateDir}; pass --state-dir or set DATABASE_URL\n`);
      return 2;
    }
    const store = await openStore({ ...(databaseUrl ? { databaseUrl } : { dir: stateDir }), notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
    try {
      const op = (await store.operations.list(tenant, 100)).find((o) => o.kind === UPGRADE_KIND);
      if (format === 'json') io.stdout.write(`${JSON.stringify({ tenant, upgrade: op ? upgradeView(op) : null }, null, 2)}\n`);
      else io.stdout.write(op ? renderUpgradeText(tenant, upgradeView(op)) : `No upgrade of tenant ${tenant} in the journal.\n`);
      return op ? EXIT_OK : EXIT_INVALID;
    } finally {
      await store.close();
    }
  },
};
