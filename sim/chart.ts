// An SVG chart, written by hand: for each tenant, its hourly demand
// (executions/min) against the throughput each policy gave it.
import type { PolicyName, SimulationResult } from './simulate.js';
import type { WorstTenant } from './report.js';

const COLOURS: Record<PolicyName, string> = { rp9: '#1f77b4', naive: '#ff7f0e' };
const WIDTH = 900;
const PANEL = 220;
const MARGIN = { left: 60, right: 20, top: 30, bottom: 30 };

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function polyline(values: ArrayLike<number>, x: (h: number) => number, y: (v: number) => number, colour: string, width: number): string {
  const points: string[] = [];
  for (let h = 0; h < values.length; h++) points.push(`${x(h).toFixed(1)},${y(values[h]!).toFixed(1)}`);
  return `<polyline fill="none" stroke="${colour}" stroke-width="${width}" points="${points.join(' ')}"/>`;
}

export function renderChart(worst: readonly WorstTenant[], results: readonly { policy: PolicyName; result: SimulationResult }[], title: string): string {
  const height = MARGIN.top + worst.length * (PANEL + MARGIN.bottom + MARGIN.top) + 20;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  const hours = results[0]?.result.hours ?? 0;
  worst.forEach((tenant, k) => {
    const top = MARGIN.top + k * (PANEL + MARGIN.bottom + MARGIN.top) + 20;
    const demand = results[0]!.result.hourlyDemand.subarray(tenant.index * hours, (tenant.index + 1) * hours);
    let peak = 0;
    for (const v of demand) peak = Math.max(peak, v);
    // Capacity can dwarf demand: the axis goes to twice the demand's peak, and capacity above it is drawn at the top.
    const top95 = Math.max(peak * 2, 1);
    const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
    const x = (h: number) => MARGIN.left + (hours <= 1 ? 0 : (h / (hours - 1)) * plotWidth);
    const y = (v: number) => top + PANEL - (Math.min(v, top95) / top95) * PANEL;
    const slo = Object.entries(tenant.sloMinutes).map(([p, m]) => `${p} ${m} SLO min`).join(', ');
    parts.push(`<text x="${MARGIN.left}" y="${top - 8}" font-weight="bold">${escapeXml(`${tenant.name} (${tenant.mode}, ${tenant.plan}): ${slo}`)}</text>`);
    parts.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${PANEL}" fill="none" stroke="#ccc"/>`);
    for (const fraction of [0, 0.5, 1]) {
      const v = top95 * fraction;
      parts.push(`<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)}</text>`);
    }
    for (let day = 0; day * 24 < hours; day += 7) parts.push(`<text x="${x(day * 24)}" y="${top + PANEL + 16}" text-anchor="middle">day ${day}</text>`);
    parts.push(polyline(demand, x, y, '#222', 1));
    for (const { policy, result } of results) {
      parts.push(polyline(result.hourlyCapacity.subarray(tenant.index * hours, (tenant.index + 1) * hours), x, y, COLOURS[policy], 1.5));
    }
  });
  const legendY = height - 8;
  parts.push(`<text x="${MARGIN.left}" y="${legendY}">executions/min, hourly means: <tspan fill="#222">■ demand</tspan>${results.map(({ policy }) => ` <tspan fill="${COLOURS[policy]}">■ capacity (${policy})</tspan>`).join('')}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
