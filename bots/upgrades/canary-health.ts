// Whether a canary counts as healthy for the upgrades bot's wave, read from
// the controller's upgrade journal, not from rp9_tenant_ready (which only says
// desired equals observed): the canary's upgrade to the version git declares
// finished without rollback, its watch passed, and its error rate did not
// rise. A canary with no upgrade to that version in the journal (created on
// it, or upgraded before the journal) falls back to readiness. Pure.

/** A tenant's newest upgrade operation as the bot sees it (controller/upgrades/canary-record.ts maps the journal's). */
export interface UpgradeRecord {
  operationId: string;
  toVersion: string;
  /** The journal's status: running, failed (rolling back, or given up once finished), done, rolled-back. */
  status: 'running' | 'failed' | 'done' | 'rolled-back';
  finished: boolean;
  /** The step a running one is at. */
  step: string | null;
  /** The watch step finished (blue stayed healthy for policies.upgrades.watchMinutes). */
  watchPassed: boolean;
  /** The watch's error-rate verdict: true when it rose past the threshold, null when not measured. */
  errorRateRose: boolean | null;
  error: string | null;
}

export interface CanaryHealth {
  healthy: boolean;
  /** Where the verdict came from. */
  source: 'journal' | 'ready';
  /** Why, in words (the bot's run output). */
  reason: string;
}

export function canaryHealth(declared: string, record: UpgradeRecord | undefined, ready: boolean): CanaryHealth {
  if (!record || record.toVersion !== declared) {
    return { healthy: ready, source: 'ready', reason: `no upgrade to ${declared} in the journal; ${ready ? 'ready' : 'not ready'} (rp9_tenant_ready)` };
  }
  const what = `upgrade ${record.operationId} to ${declared}`;
  if (!record.finished && record.status === 'running') return { healthy: false, source: 'journal', reason: `${what} is under way (step ${record.step ?? '?'})` };
  if (!record.finished) return { healthy: false, source: 'journal', reason: `${what} is rolling back: ${record.error ?? 'failed'}` };
  if (record.status === 'rolled-back') return { healthy: false, source: 'journal', reason: `${what} rolled back: ${record.error ?? 'no error recorded'}` };
  if (record.status !== 'done') return { healthy: false, source: 'journal', reason: `${what} was given up: ${record.error ?? 'no error recorded'}` };
  if (!record.watchPassed) return { healthy: false, source: 'journal', reason: `${what} finished without its watch passing` };
  if (record.errorRateRose === true) return { healthy: false, source: 'journal', reason: `${what}: the error rate rose during the watch` };
  const rate = record.errorRateRose === false ? 'its error rate did not rise' : 'its error rate was not measured';
  return { healthy: true, source: 'journal', reason: `${what} finished without rollback, its watch passed and ${rate}` };
}
