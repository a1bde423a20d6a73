// The comparison of policies as a value, and its Markdown and JSON renderings.
import type { PolicyName, PolicyTotals, SimulationResult } from './simulate.js';
import type { DemandSource } from './trace.js';

export interface WorstTenant {
  name: string;
  plan: string;
  mode: string;
  /** SLO minutes per policy. */
  sloMinutes: Record<string, number>;
  index: number;
}

export interface Comparison {
  tenants: number;
  days: number;
  start: string;
  sloSeconds: number;
  delays: { mergeMinutes: number; reviewMinutes: number | null; applyMinutes: number };
  policies: PolicyTotals[];
  worst: WorstTenant[];
}

export const POLICY_LABEL: Record<PolicyName, string> = {
  rp9: "rp9's bots (platform.yaml)",
  naive: "spec's naive rules",
};

/** The `count` tenants with the most SLO minutes under any policy, worst first. */
export function worstTenants(source: DemandSource, results: { policy: PolicyName; result: SimulationResult }[], count: number): WorstTenant[] {
  const ranked = source.tenants.map((meta, index) => {
    const sloMinutes: Record<string, number> = {};
    let worst = 0;
    for (const { policy, result } of results) {
      const minutes = result.tenantSloMinutes[index]!;
      sloMinutes[policy] = minutes;
      if (minutes > worst) worst = minutes;
    }
    return { name: meta.name, plan: meta.plan, mode: meta.mode, sloMinutes, index, worst };
  });
  ranked.sort((a, b) => b.worst - a.worst || (a.name < b.name ? -1 : 1));
  return ranked.slice(0, count).map(({ worst: _worst, ...rest }) => rest);
}

function fixed(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** One table row per policy; `label` overrides the policy's name (before/after tables). */
export function markdownRows(policies: readonly PolicyTotals[], label: (totals: PolicyTotals) => string = (t) => POLICY_LABEL[t.policy]): string[] {
  return policies.map((t) =>
    `| ${label(t)} | ${fixed(t.sloMinutes)} | ${fixed(t.prsOpened)} (${fixed(t.reviewPrs)} for review) | ${fixed(t.flaps)} | ${fixed(t.coreHours)} | ${fixed(t.gbHours)} | ${fixed(t.promotions)} | ${fixed(t.planActions)} | ${fixed(t.restarts)} |`,
  );
}

export const MARKDOWN_HEADER = [
  '| policy | minutes of queue p95 > SLO | PRs opened | flaps | core-hours | GB-hours | promotions | plan actions | restarts |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];

export function renderMarkdown(comparison: Comparison): string {
  const { delays } = comparison;
  const lines = [
    `Simulated ${fixed(comparison.tenants)} tenants × ${fixed(comparison.days, comparison.days % 1 === 0 ? 0 : 2)} days from ${comparison.start} at one-minute resolution; SLO: queue wait p95 ≤ ${comparison.sloSeconds} s.`,
    `Merge delay ${delays.mergeMinutes} min (auto-merge), ${delays.reviewMinutes === null ? 'review PRs never merged' : `${delays.reviewMinutes} min for PRs that wait for review`}; apply delay ${delays.applyMinutes} min.`,
    '',
    ...MARKDOWN_HEADER,
    ...markdownRows(comparison.policies),
  ];
  if (comparison.worst.length > 0) {
    lines.push('', 'Worst tenants (SLO minutes per policy):', '');
    for (const tenant of comparison.worst) {
      const per = Object.entries(tenant.sloMinutes).map(([policy, minutes]) => `${policy} ${fixed(minutes)}`).join(', ');
      lines.push(`- ${tenant.name} (${tenant.mode}, ${tenant.plan}): ${per}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function renderJson(comparison: Comparison): string {
  return `${JSON.stringify(comparison, null, 2)}\n`;
}
