// Reads the GitHub workflows and runs their `${{ … }}` expressions the way
// Actions would for one event: each expression is looked up in a table of
// values, so a test sees the exact command line and environment of a step.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

export function loadWorkflow(name: string): Record<string, any> {
  return parse(readFileSync(fileURLToPath(new URL(`../.github/workflows/${name}`, import.meta.url)), 'utf8'));
}

/** The step of `job` with this name; throws when there is none. */
export function workflowStep(workflow: Record<string, any>, job: string, name: string): WorkflowStep {
  const step = (workflow.jobs?.[job]?.steps as WorkflowStep[] | undefined)?.find((s) => s.name === name);
  if (!step) throw new Error(`workflow job ${job} has no step named "${name}"`);
  return step;
}

/** Replaces every `${{ expr }}` by `values[expr]`; throws on an expression the table lacks. */
export function expandExpressions(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_match, expr: string) => {
    if (!(expr in values)) throw new Error(`unexpected expression \${{ ${expr} }}`);
    return values[expr]!;
  });
}

/** A step's `run` as argv after expansion (a one-line command: words split on whitespace). */
export function stepArgv(step: WorkflowStep, values: Record<string, string>): string[] {
  if (!step.run) throw new Error(`step "${step.name ?? step.uses}" has no run`);
  return expandExpressions(step.run, values).split(/\s+/).filter(Boolean);
}

/** A step's env after expansion. */
export function stepEnv(step: WorkflowStep, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, expandExpressions(value, values)]));
}
