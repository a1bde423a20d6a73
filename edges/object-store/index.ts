export { fsObjectStore } from './fs-store.js';
export { s3ClientConfig, s3ObjectStore, type S3StoreOptions } from './s3-store.js';
export { checkKey, ObjectStoreError, type ObjectStore, type ObjectStoreErrorCode } from './types.js';
