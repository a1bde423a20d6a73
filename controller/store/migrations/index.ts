// Versioned schema migrations, applied in order by migrate(). Append only:
// never edit a released migration, add the next version instead.
import { initial } from './001-initial.js';
import { backups } from './002-backups.js';
import { deliveries } from './003-deliveries.js';
import { sharedMembers } from './004-shared-members.js';
import { apiRequests } from './005-api-requests.js';
import { apiIdempotencyClaims } from './006-api-idempotency-claims.js';
import { stripeSubscriptions } from './007-stripe-subscriptions.js';

export interface Migration {
  version: number;
  /** kebab-case, shown in errors and recorded in schema_migrations. */
  name: string;
  /** Run one by one, in the same transaction as the other pending migrations. */
  statements: string[];
}

export const migrations: readonly Migration[] = [initial, backups, deliveries, sharedMembers, apiRequests, apiIdempotencyClaims, stripeSubscriptions];
