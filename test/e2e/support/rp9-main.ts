// The rp9 CLI run from the TypeScript sources, for tests that need rp9 as a
// process of its own (killed with SIGKILL, say) without a build step:
// `node --import tsx test/e2e/support/rp9-main.ts controller ...`. One
// process: a signal sent to its pid reaches rp9 itself, not a wrapper.
import { main } from '../../../cli/main.js';

process.exitCode = await main(process.argv.slice(2));
