// The end-to-end tests' bounded wait is the harness's (test/harness/wait.ts).
export { until, type UntilOptions } from '../../harness/wait.js';
