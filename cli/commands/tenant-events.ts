// `rp9 tenant events <tenant> [--hours 2]`: a tenant's events of the last
// hours from the state store, oldest first, as the playbooks read them.
import { resolve } from 'node:path';
import { EXIT_OK, UsageError, helpOption, outputFormat, type Command } from '../command.js';
import { DEFAULT_STATE_DIR, embeddedStoreExists, openStore } from '../../controller/store/store.js';
import { renderEventTable } from './status.js';

const TENANT_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
/** The store's cap on one query. */
const MAX_EVENTS = 1000;
const MAX_HOURS = 24 * 90;

export function hoursOption(raw: unknown): number {
  const text = String(raw ?? '2').trim();
  const hours = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(hours > 0) || hours > MAX_HOURS) throw new UsageError(`--hours must be a number of hours above 0 and at most ${MAX_HOURS} (got "${text}")`);
  return hours;
}

export const tenantEventsCommand: Command = {
  name: ['tenant', 'events'],
  summary: 'Show a tenant\'s events of the last hours (default 2), oldest first',
  args: '<tenant>',
  description: [
    'Reads the state store only (DATABASE_URL, or the embedded store in --state-dir):',
    'what the controller, bots, operations and CLI recorded for the tenant, at most 1000.',
    '',
    'Exit 0: shown (also when there are none); 2: usage or I/O error.',
    '',
    'Examples:',
    '  rp9 tenant events acme --hours 2',
    '  rp9 tenant events acme --hours 24 -o json',
  ].join('\n'),
  options: {
    hours: { type: 'string', default: '2', valueName: 'n', description: 'How many hours back' },
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format' },
    'state-dir': { type: 'string', default: DEFAULT_STATE_DIR, valueName: 'dir', description: 'State directory of the embedded store' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the tenant' : `expected one tenant (got ${positionals.join(', ')})`);
    const tenant = positionals[0] as string;
    if (!TENANT_NAME.test(tenant) || tenant.length > 63) throw new UsageError(`"${tenant}" is not a tenant name`);
    const hours = hoursOption(values.hours);
    const now = new Date();
    const since = new Date(now.getTime() - hours * 3_600_000);
    const stateDir = resolve(io.cwd, String(values['state-dir'] ?? DEFAULT_STATE_DIR));
    const databaseUrl = io.env.DATABASE_URL?.trim();
    if (!databaseUrl && !embeddedStoreExists(stateDir)) {
      io.stderr.write(`rp9 tenant events: [store.none] no state store in ${stateDir}; pass --state-dir or set DATABASE_URL\n`);
      return 2;
    }
    const store = await openStore({ ...(databaseUrl ? { databaseUrl } : { dir: stateDir }), notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
    try {
      const events = (await store.events.recent({ tenant, since, limit: MAX_EVENTS })).reverse();
      if (format === 'json') {
        io.stdout.write(`${JSON.stringify({ tenant, since: since.toISOString(), hours, events }, null, 2)}\n`);
      } else {
        io.stdout.write(events.length === 0 ? `No events for tenant ${tenant} in the last ${hours} h.\n` : renderEventTable(events, now));
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
