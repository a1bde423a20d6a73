// Runs one workflow to its end through n8n's CLI inside a running n8n
// container: `n8n execute --id=<id> --rawOutput`. The CLI starts its own
// process next to the server; it gets a task-runner broker port of its own
// (the server holds the default one) and runs in regular mode (queue mode is
// the server's). Exit code 0 with run data and no error is a success.
import type Docker from 'dockerode';
import { execIn } from './cli-exec.js';

export interface ExecuteResult {
  ok: boolean;
  detail: string;
  nodesRun?: number;
}

const CLI_ENV = ['EXECUTIONS_MODE=regular', 'N8N_RUNNERS_BROKER_PORT=5689', 'N8N_METRICS=false', 'QUEUE_HEALTH_CHECK_ACTIVE=false'];

/** Parses `--rawOutput`'s JSON (the run's data): nodes that ran, or the error n8n recorded. */
export function readExecuteOutput(stdout: string): { nodesRun: number; error?: string } | undefined {
  // The run is printed as JSON.stringify(run, null, 2): its first line is `{` and its last `}`, both at column 0; log lines may come around it.
  const start = stdout.search(/^\{\s*$/m);
  const ends = [...stdout.matchAll(/^\}\s*$/gm)];
  const end = ends.at(-1)?.index;
  if (start < 0 || end === undefined || end < start) return undefined;
  try {
    const run = JSON.parse(stdout.slice(start, end + 1)) as { data?: { resultData?: { runData?: Record<string, unknown>; error?: { message?: string } } } };
    const result = run.data?.resultData;
    if (!result) return undefined;
    return { nodesRun: Object.keys(result.runData ?? {}).length, ...(result.error ? { error: result.error.message ?? 'error' } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The verdict on one `n8n execute`. A run whose complete run data says it
 * succeeded is a success even when the CLI then died by a signal (exit 128+n):
 * n8n's CLI has been seen to segfault (139) while shutting down after the run.
 */
export function judgeExecute(exitCode: number, stdout: string, stderr: string): ExecuteResult {
  const parsed = readExecuteOutput(stdout);
  const tail = `${stdout}\n${stderr}`.trim().slice(-800);
  const signalled = exitCode > 128;
  if (exitCode !== 0 && !(signalled && parsed && !parsed.error && parsed.nodesRun > 0)) return { ok: false, detail: `n8n execute exited ${exitCode}: ${tail}` };
  if (!parsed) return { ok: false, detail: `n8n execute printed no run data: ${tail}` };
  if (parsed.error) return { ok: false, detail: `the execution failed: ${parsed.error}`, nodesRun: parsed.nodesRun };
  if (parsed.nodesRun === 0) return { ok: false, detail: 'the execution ran no node', nodesRun: 0 };
  const after = exitCode === 0 ? '' : ` (the CLI then exited ${exitCode} on its way out)`;
  return { ok: true, detail: `${parsed.nodesRun} node(s) ran${after}`, nodesRun: parsed.nodesRun };
}

/** True when the CLI died by a signal before it printed its run: worth one more try. */
function diedEarly(exitCode: number, stdout: string): boolean {
  return exitCode > 128 && readExecuteOutput(stdout) === undefined;
}

/** Runs the workflow; a CLI killed by a signal before printing its run is run once more. */
export async function executeWorkflow(docker: Docker, container: string, workflowId: string): Promise<ExecuteResult> {
  const once = () => execIn(docker, container, ['n8n', 'execute', `--id=${workflowId}`, '--rawOutput'], { env: CLI_ENV, maxBytes: 64 * 1024 * 1024 });
  let run = await once();
  if (diedEarly(run.exitCode, run.stdout.toString('utf8'))) run = await once();
  return judgeExecute(run.exitCode, run.stdout.toString('utf8'), run.stderr);
}
