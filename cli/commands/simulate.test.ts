// rp9 simulate end to end on a tiny trace directory whose result is worked out by hand.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { main } from '../main.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-simulate-'));
  await copyFile(join(repoRoot, 'platform.yaml'), join(dir, 'platform.yaml'));
  await mkdir(join(dir, 'tenants'));
  await mkdir(join(dir, 'traces'));
  // a: dedicated starter (1 worker = 10 slots, 2 containers × 1 core × 1024 MB), executions of 60 s:
  // capacity 10/min against a steady 20/min for two hours. b: a shared pro tenant that is nearly idle.
  const rows = ['time,tenant,executions_per_min,queue_wait_p95_s,cpu_percent,mem_percent'];
  for (let minute = 0; minute < 120; minute++) {
    const time = new Date(Date.UTC(2026, 10, 2, 0, minute)).toISOString().replace('.000Z', 'Z');
    rows.push(`${time},a,20,,10,40`, `${time},b,0.1,0,0,0`);
  }
  await writeFile(join(dir, 'traces', 'fleet.csv'), `${rows.join('\n')}\n`);
  await writeFile(join(dir, 'traces', 'tenants.jsonl'), '{"tenant":"a","plan":"starter","mode":"dedicated","serviceSeconds":60}\n{"tenant":"b","plan":"pro","mode":"shared","serviceSeconds":10}\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rp9 simulate --traces', () => {
  it('replays a hand-checked trace through both policies', async () => {
    const run = captureIo({}, dir);
    expect(await main(['simulate', '--traces', 'traces', '-o', 'json', '--chart', 'worst.svg'], run.io)).toBe(0);
    const result = JSON.parse(run.out());
    const [rp9, naive] = result.policies;
    expect(result.tenants).toBe(2);
    expect(result.days).toBeCloseTo(120 / 1440, 9);

    // Demand is twice the capacity from minute 0: the backlog grows 10 per minute and every wait is
    // over 5 s. At minute 15 both policies add a worker (1 → 2, the starter ceiling); it merges at
    // 20 (merge delay 5) and is applied at 22 (apply delay 2). Capacity then equals demand, so the
    // backlog of 220 stays and so does the wait (220 / (20/60 per s) = 660 s): all 120 minutes are bad.
    for (const totals of [rp9, naive]) {
      expect(totals.sloMinutes).toBe(120);
      expect(totals.prsMerged).toBe(1);
      expect(totals.flaps).toBe(0);
      expect(totals.promotions).toBe(0);
      // 2 containers × 1 core for minutes 0–21, 3 for 22–119: (22·2 + 98·3)/60 core-hours; the same in GB.
      expect(totals.coreHours).toBeCloseTo(338 / 60, 9);
      expect(totals.gbHours).toBeCloseTo(338 / 60, 9);
      expect(totals.planActions).toBe(1); // create worker 2
      expect(totals.restarts).toBe(0);
    }
    // The naive rules, at the ceiling, have nothing left to do (2 workers wanted → capped).
    expect(naive.prsOpened).toBe(1);
    expect(naive.reviewPrs).toBe(0);
    // rp9's bot holds for the 60-minute cooldown after the merge at 20 (runs at 30, 45, 60, 75),
    // then at 90 opens one beyond-ceiling PR for review, which never merges; the run at 105 keeps it.
    expect(rp9.prsOpened).toBe(2);
    expect(rp9.reviewPrs).toBe(1);

    expect(result.worst.map((t: { name: string }) => t.name)).toEqual(['a', 'b']);
    const svg = await readFile(join(dir, 'worst.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('a (dedicated, starter): rp9 120 SLO min, naive 120 SLO min');
    expect(svg.match(/<polyline/g)).toHaveLength(2 * 3);
  });

  it('prints the Markdown table by default', async () => {
    const run = captureIo({}, dir);
    expect(await main(['simulate', '--traces', 'traces'], run.io)).toBe(0);
    expect(run.out()).toContain('| policy | minutes of queue p95 > SLO | PRs opened | flaps |');
    expect(run.out()).toContain("| rp9's bots (platform.yaml) | 120 | 2 (1 for review) | 0 |");
  });

  it('names file, line and field of a bad trace and exits 2', async () => {
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'x.csv'), 'time,tenant,executions_per_min,queue_wait_p95_s,cpu_percent,mem_percent\n2026-11-02T00:00:00Z,a,lots,0,1,1\n');
    const run = captureIo({}, dir);
    expect(await main(['simulate', '--traces', 'bad'], run.io)).toBe(2);
    expect(run.err()).toContain(`${join(dir, 'bad', 'x.csv')}:2: executions_per_min: must be a number ≥ 0 (got "lots") [simulate.trace-field]`);
  });

  it('generates seeded traces: the same seed, the same table', async () => {
    const first = captureIo({}, dir);
    const second = captureIo({}, dir);
    expect(await main(['simulate', '--generate', '5', '--days', '0.5', '--seed', '3'], first.io)).toBe(0);
    expect(await main(['simulate', '--generate', '5', '--days', '0.5', '--seed', '3'], second.io)).toBe(0);
    expect(first.out()).toBe(second.out());
    expect(first.out()).toContain('Simulated 5 tenants × 0.50 days');
  });

  it('wants exactly one of --traces and --generate', async () => {
    const run = captureIo({}, dir);
    expect(await main(['simulate'], run.io)).toBe(2);
    expect(run.err()).toContain('give either --traces <dir> or --generate N');
  });
});
