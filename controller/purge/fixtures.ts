// A purge plan for tests: acme's retained volume, database, role and one secret.
import type { PurgePlan } from './plan-purge.js';

export const ACME_PURGE: PurgePlan = {
  tenant: 'acme',
  environment: 'prod',
  steps: [
    { kind: 'volume', name: 'rp9-acme-data' },
    { kind: 'database', name: 'rp9_acme' },
    { kind: 'role', name: 'rp9_acme' },
    { kind: 'secret', name: 'db-password' },
  ],
  notes: [],
};
