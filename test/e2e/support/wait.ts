// The end-to-end tests' bounded waits are the harness's (test/harness/wait.ts).
export { nothingFor, until, type NothingForOptions, type UntilOptions } from '../../harness/wait.js';
