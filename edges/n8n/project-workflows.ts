// The workflows of one project on an n8n instance (the public API's
// `projectId` filter works with personal projects without a licence), and
// turning one on or off with the adapter of the instance's major.
import type { N8nApi, WorkflowSummary } from './api.js';
import { N8nError } from './errors.js';
import { n8nCall, type N8nConnection } from './http.js';
import { workflowSummary } from './resources.js';

/** Pages of 250; more pages than this is refused rather than looped on. */
const MAX_PAGES = 40;

/** Every workflow of the project, or only the active ones; sorted by id. */
export async function listProjectWorkflows(connection: N8nConnection, projectId: string, filter: { active?: boolean } = {}): Promise<WorkflowSummary[]> {
  const operation = 'list-project-workflows';
  const all: WorkflowSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ projectId, limit: '250', excludePinnedData: 'true' });
    if (filter.active !== undefined) query.set('active', String(filter.active));
    if (cursor) query.set('cursor', cursor);
    const { json } = await n8nCall(connection, { operation, method: 'GET', path: `/api/v1/workflows?${query}`, auth: 'api-key' });
    const body = json as { data?: unknown; nextCursor?: unknown } | undefined;
    if (!body || !Array.isArray(body.data)) throw new N8nError('n8n.bad-response', `${operation}: expected { data: [...] }`, { operation });
    for (const item of body.data) all.push(workflowSummary(item, operation));
    if (typeof body.nextCursor !== 'string' || body.nextCursor === '') return all.sort((a, b) => a.id.localeCompare(b.id));
    cursor = body.nextCursor;
  }
  throw new N8nError('n8n.bad-response', `${operation}: more than ${MAX_PAGES} pages of workflows in project ${projectId}`, { operation });
}

/** Activates (1.x) or publishes (2.x) a workflow, or the reverse. */
export async function setWorkflowActive(api: N8nApi, connection: N8nConnection, id: string, active: boolean): Promise<void> {
  if (active) await api.publishWorkflow(connection, id);
  else await api.unpublishWorkflow(connection, id);
}
