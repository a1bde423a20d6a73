/** Pure evaluation of required status contexts against commit statuses and check runs. */

export interface StatusSignal {
  context: string;
  state: string;
}

export interface CheckRunSignal {
  name: string;
  status: string;
  conclusion: string | null;
}

export interface ContextVerdict {
  passed: string[];
  pending: string[];
  failing: string[];
}

const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);

/**
 * For each required context: failing if any signal for it failed; else pending if none exist or any is
 * still running; else passed. Contexts match case-insensitively (GitHub treats status contexts so).
 * Statuses are expected to be the latest per context (as the combined status returns them).
 */
export function evaluateContexts(required: string[], statuses: StatusSignal[], checkRuns: CheckRunSignal[]): ContextVerdict {
  const verdict: ContextVerdict = { passed: [], pending: [], failing: [] };
  for (const context of required) {
    const key = context.toLowerCase();
    const signals: ('pass' | 'pending' | 'fail')[] = [
      ...statuses.filter((s) => s.context.toLowerCase() === key).map((s) => statusSignal(s.state)),
      ...checkRuns.filter((c) => c.name.toLowerCase() === key).map(checkSignal),
    ];
    if (signals.includes('fail')) verdict.failing.push(context);
    else if (signals.length === 0 || signals.includes('pending')) verdict.pending.push(context);
    else verdict.passed.push(context);
  }
  return verdict;
}

function statusSignal(state: string): 'pass' | 'pending' | 'fail' {
  if (state === 'success') return 'pass';
  if (state === 'failure' || state === 'error') return 'fail';
  return 'pending';
}

function checkSignal(run: CheckRunSignal): 'pass' | 'pending' | 'fail' {
  if (run.status !== 'completed') return 'pending';
  return PASSING_CONCLUSIONS.has(run.conclusion ?? '') ? 'pass' : 'fail';
}
