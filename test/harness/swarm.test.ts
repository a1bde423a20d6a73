// The two-node swarm harness itself: it comes up labelled and leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { run } from './processes.js';
import { startSwarm } from './swarm.js';

describe('startSwarm', () => {
  it('starts a manager and a worker in their own namespaces, labelled by region, and removes everything on stop', async () => {
    const before = await run('ip', ['netns', 'list']);
    const swarm = await startSwarm({ a: 'us-east', b: 'eu-west' });
    let stopped = false;
    try {
      const nodes = (await swarm.manager.listNodes()) as { Description: { Hostname: string }; Spec: { Role: string; Labels: Record<string, string> }; Status: { State: string } }[];
      const seen = nodes.map((n) => `${n.Description.Hostname} ${n.Spec.Role} ${n.Status.State} ${n.Spec.Labels['rp9.io.region']}`).sort();

      expect(seen).toEqual(['rp9-swarm-a manager ready us-east', 'rp9-swarm-b worker ready eu-west']);
      await swarm.stop();
      stopped = true;
      expect(await run('ip', ['netns', 'list'])).toBe(before);
      expect(await run('sh', ['-c', `ls -d /sys/fs/cgroup/*/${swarm.name}-* 2>/dev/null || true`])).toBe('');
    } finally {
      if (!stopped) await swarm.stop();
    }
  });
});
