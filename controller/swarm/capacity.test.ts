import { describe, expect, it } from 'vitest';
import { regionCapacity, type NodeCapacity, type TaskDemand } from './capacity.js';

function node(hostname: string, region: string | undefined, cpu: number, memoryMb: number, reserved: NodeCapacity['reserved'] = [], state = 'active'): NodeCapacity {
  return { hostname, region, available: state === 'active', state, cpu, memoryMb, reserved };
}
const task = (service: string, cpu: number, memoryMb = 128): TaskDemand => ({ service, cpu, memoryMb });

interface Case {
  name: string;
  nodes: NodeCapacity[];
  demand: TaskDemand[];
  replacing?: string[];
  verdict: true | RegExp;
}

const cases: Case[] = [
  { name: 'nothing to place fits anywhere', nodes: [], demand: [], verdict: true },
  { name: 'no node carries the region label', nodes: [node('a', 'us-east', 2, 4096)], demand: [task('m', 0.5)], verdict: /^no node is labelled rp9\.io\.region=eu-west$/ },
  { name: 'one node with room', nodes: [node('b', 'eu-west', 2, 4096)], demand: [task('m', 0.5), task('w', 0.5), task('w', 0.5)], verdict: true },
  { name: 'nodes of other regions do not count', nodes: [node('a', 'us-east', 8, 8192), node('b', 'eu-west', 1, 4096)], demand: [task('m', 0.75), task('w', 0.75)], verdict: /no node in region eu-west has room for a task of (m|w) \(0\.75 CPU, 128 MB reserved; 2 tasks need 1\.5 CPU, 256 MB\): b has 0\.25 CPU and 3968 MB left/ },
  { name: 'tasks spread over two nodes of the region', nodes: [node('a', 'eu-west', 1, 4096), node('b', 'eu-west', 1, 4096)], demand: [task('m', 0.75), task('w', 0.75)], verdict: true },
  { name: 'other services reservations count', nodes: [node('b', 'eu-west', 2, 4096, [{ service: 'other', cpu: 1.5, memoryMb: 128 }])], demand: [task('m', 1)], verdict: /b has 0\.5 CPU/ },
  { name: 'the services being replaced free their reservations first', nodes: [node('b', 'eu-west', 2, 4096, [{ service: 'm', cpu: 1.5, memoryMb: 128 }])], demand: [task('m', 1.5)], replacing: ['m'], verdict: true },
  { name: 'memory counts too', nodes: [node('b', 'eu-west', 4, 512)], demand: [task('m', 0.5, 1024)], verdict: /b has 4 CPU and 512 MB left/ },
  { name: 'a down node takes nothing, and is named', nodes: [node('a', 'eu-west', 2, 4096, [], 'down'), node('b', 'eu-west', 0.5, 4096)], demand: [task('m', 1)], verdict: /b has 0\.5 CPU and 4096 MB left; a is down/ },
  { name: 'a drained node takes nothing', nodes: [node('a', 'eu-west', 2, 4096, [], 'drain')], demand: [task('m', 1)], verdict: /a is drain/ },
];

describe('regionCapacity', () => {
  it.each(cases)('$name', ({ nodes, demand, replacing, verdict }) => {
    const result = regionCapacity(nodes, 'eu-west', demand, new Set(replacing ?? []));

    if (verdict === true) expect(result).toEqual({ ok: true });
    else {
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.message).toMatch(verdict);
    }
  });
});
