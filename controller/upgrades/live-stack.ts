// The one place a reader of a dedicated tenant's running stack (scheduled
// backups, telemetry, the CLI exporter) learns its names: after a blue/green
// upgrade the live database and main container may be blue's, and green's may
// be dropped. Resolved from the journal (each tenant's newest upgrade) on every
// call or pass, so a swap or rollback is followed without a restart.
import { databaseName, mainContainerName, type Colour } from '../compile/names.js';
import type { OperationsApi } from '../store/operations-repo.js';
import { liveColours, UPGRADE_KIND } from './live-colour.js';

export interface LiveStack {
  colour: Colour;
  database: string;
  mainContainer: string;
}

export type LiveJournal = Pick<OperationsApi, 'latestByKind'>;

export function liveStackNamed(tenant: string, colour: Colour): LiveStack {
  return { colour, database: databaseName(tenant, colour), mainContainer: mainContainerName(tenant, colour) };
}

/** Every tenant's live stack from one journal read (for a pass over many tenants). */
export async function liveStacks(operations: LiveJournal): Promise<(tenant: string) => LiveStack> {
  const colours = liveColours(await operations.latestByKind(UPGRADE_KIND));
  return (tenant) => liveStackNamed(tenant, colours.get(tenant) ?? 'green');
}

/** One tenant's live stack, read from the journal now. */
export async function liveStackOf(operations: LiveJournal, tenant: string): Promise<LiveStack> {
  return (await liveStacks(operations))(tenant);
}
