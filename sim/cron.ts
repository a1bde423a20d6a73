// A minute-level matcher for the five-field cron expressions the bots'
// schedules use (UTC): `*`, numbers, `a-b`, `*/n`, `a-b/n` and lists. The
// simulated clock asks it once per minute instead of running node-cron.
import { SimError } from './errors.js';

export type CronMatcher = (at: Date) => boolean;

const FIELDS = [
  { name: 'minute', low: 0, high: 59 },
  { name: 'hour', low: 0, high: 23 },
  { name: 'day of month', low: 1, high: 31 },
  { name: 'month', low: 1, high: 12 },
  { name: 'day of week', low: 0, high: 7 },
] as const;

function parseField(text: string, field: (typeof FIELDS)[number], setting: string): Set<number> | undefined {
  if (text === '*') return undefined;
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new SimError('simulate.schedule-unsupported', `${JSON.stringify(part)} in the ${field.name} field is not supported (use *, n, a-b, */n, a-b/n or lists)`, 'platform.yaml', undefined, setting);
    const from = match[1] === '*' ? field.low : Number(match[2]);
    const to = match[1] === '*' ? field.high : match[3] !== undefined ? Number(match[3]) : match[4] !== undefined ? field.high : from;
    const step = match[4] !== undefined ? Number(match[4]) : 1;
    if (from < field.low || to > field.high || from > to || step < 1) throw new SimError('simulate.schedule-unsupported', `${JSON.stringify(part)} is out of range for the ${field.name} field (${field.low}-${field.high})`, 'platform.yaml', undefined, setting);
    for (let v = from; v <= to; v += step) values.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return values;
}

/** A matcher for `expression`; `setting` names where it came from in errors (policies.autoscale.schedule). */
export function cronMatcher(expression: string, setting: string): CronMatcher {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new SimError('simulate.schedule-unsupported', `${JSON.stringify(expression)} must have five fields (minute hour day-of-month month day-of-week)`, 'platform.yaml', undefined, setting);
  const [minute, hour, dom, month, dow] = parts.map((part, i) => parseField(part, FIELDS[i]!, setting));
  return (at) => {
    if (minute && !minute.has(at.getUTCMinutes())) return false;
    if (hour && !hour.has(at.getUTCHours())) return false;
    if (month && !month.has(at.getUTCMonth() + 1)) return false;
    // Standard cron: when both day fields are restricted, either may match.
    const domOk = !dom || dom.has(at.getUTCDate());
    const dowOk = !dow || dow.has(at.getUTCDay());
    return dom && dow ? domOk || dowOk : domOk && dowOk;
  };
}
