// The state store's public surface.
export { openStore, storeOn, storeOptionsFromEnv, embeddedStoreExists, DEFAULT_STATE_DIR, type Store, type StoreOptions } from './store.js';
export { StoreError, redactDatabaseUrl, type StoreErrorCode } from './errors.js';
export { setCondition, findCondition, isConditionTrue, conditionWarnings, CONDITION_TYPES, CONDITION_STATUSES } from './conditions.js';
export { applyTransition, initialSteps, type OperationTransition } from './operation-steps.js';
export { TENANT_PHASES, type StatusApi } from './status-repo.js';
export { EVENT_TYPES, type EventsApi } from './events-repo.js';
export type { SecretsApi, MasterKeyProvider } from './secrets-repo.js';
export type { OperationsApi } from './operations-repo.js';
export type { BackupsApi, BackupRecord, BackupInsert } from './backups-repo.js';
export type { LeaseApi } from './lease-repo.js';
export type { SharedMember, SharedMembersApi, SharedMemberUpdate } from './shared-members-repo.js';
export type { Sql, SqlQuery, SqlParam } from './sql.js';
export type * from './types.js';
export { Secret, generateSecretValue } from '../secrets/secret-value.js';
export { SecretError, type SecretErrorCode } from '../secrets/errors.js';
