export { compileTenant } from './compile-tenant.js';
export { compileDesired } from './compile-desired.js';
export { createCompileContext, defaultHealthcheck, DEFAULT_NETWORK, DEFAULT_N8N_PORT, DEFAULT_RUNNERS_BROKER_PORT, DEFAULT_DATA_PATH } from './context.js';
export type { CompileContext, CompileContextInput, HealthcheckSpec } from './context.js';
export { CompileError } from './errors.js';
export type { CompileErrorCode } from './errors.js';
export { canonicalJson, digest, stableHash, HashError, HASH_LENGTH } from './hash.js';
export { databaseName, mainContainerName, routeName, volumeName, workerContainerName, workerIndex } from './names.js';
