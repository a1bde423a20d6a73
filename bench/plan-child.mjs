// One scenario of bench:plan in its own Node process, forked by
// bench/plan.bench.mjs, so that its peak RSS (maxRSS) is its own: the git
// server and the other scenarios run elsewhere. Talks to the parent over IPC:
//   parent → child: { scenario: 'a' | 'a+' | 'b' | 'c', root, url? }
//   child → parent: { ask: 'commit' } (scenario b), then { result } or { error }
//   parent → child: { committed: true }
import { compileAndPlan, extras } from './plan-synthetic.mjs';
import { coldLoad, oneFileChange } from './plan-from-git.mjs';

const MB = 1024 * 1024;
const phases = [];

let cpuMark = process.cpuUsage();

/**
 * Records a phase: its wall time (`ms`, undefined for untimed set-up), this process's CPU
 * time since the previous mark, and memory right after it. With `--node-arg=--expose-gc`
 * it collects garbage first, so the figures show what the phase retains (diagnostics:
 * the extra collections lower the peak).
 */
function mark(label, ms) {
  const used = process.cpuUsage(cpuMark);
  globalThis.gc?.();
  const memory = process.memoryUsage();
  phases.push({
    label,
    ms,
    cpuMs: (used.user + used.system) / 1000,
    rssMb: memory.rss / MB,
    heapMb: memory.heapUsed / MB,
    externalMb: (memory.external + memory.arrayBuffers) / MB,
    peakMb: process.resourceUsage().maxRSS / 1024,
  });
  cpuMark = process.cpuUsage();
}

function askCommit() {
  return new Promise((resolve) => {
    process.once('message', (message) => {
      if (message?.committed) resolve();
    });
    process.send({ ask: 'commit' });
  });
}

async function run({ scenario, root, url }) {
  switch (scenario) {
    case 'a':
      return compileAndPlan(root, mark);
    case 'a+':
      return extras(root, mark);
    case 'b':
      return oneFileChange(root, url, mark, askCommit);
    case 'c':
      return coldLoad(root, url, mark);
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

process.once('message', async (message) => {
  try {
    const { ms, about } = await run(message);
    // The scenario's peak: this process's maxRSS when the scenario is done.
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const timed = phases.filter((p) => p.ms !== undefined);
    const cpuMs = timed.reduce((sum, p) => sum + p.cpuMs, 0);
    process.send({ result: { ms, about, phases, peakRssMb, cpuMs } }, () => process.exit(0));
  } catch (error) {
    process.send({ error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1));
  }
});
