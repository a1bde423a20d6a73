// What a promotion (shared → dedicated) and a demotion (dedicated → shared)
// do alike while the tenant is frozen, with the source side as a parameter:
// (de)activate a few workflows at a time; run calls side by side and report
// the first failure in the order given; export the source (its fingerprint,
// read by SQL, taken first; its two CLI exports side by side; sealed); and at
// the verify, what the target must hold: the sealed export, as long as the
// source's fingerprint is still the one taken at the export (nothing of the
// tenant's changed there since), instead of exporting the source again.
import { mapLimit } from '../../kernel/concurrency/map-limit.js';
import { tenantContent, type TenantContent } from '../promotion/content.js';
import { readSealedExport, writeSealedExport, type TenantExport } from '../promotion/sealed-export.js';
import { OperationError } from './kind.js';
import type { PromotionN8n } from './promotion.js';

/** Workflows (de)activated at once through an n8n's public API. */
export const SET_ACTIVE_CONCURRENCY = 4;

export async function setAll(n8n: Pick<PromotionN8n, 'setActive'>, tenant: string, ids: readonly string[], active: boolean): Promise<void> {
  await mapLimit(ids, SET_ACTIVE_CONCURRENCY, (id) => n8n.setActive(tenant, id, active));
}

/** Waits for all; throws the first failure in the order given (not the first to fail in time). */
export async function allInOrder(calls: readonly Promise<void>[]): Promise<void> {
  const settled = await Promise.allSettled(calls);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The side a move reads the tenant's data from while it is frozen. */
export interface MoveSource extends Pick<PromotionN8n, 'exportItems'> {
  /**
   * A digest of the tenant's workflows and credentials there (ids and content, activation left out), read without
   * n8n's CLI: equal at the export and at the verify exactly when nothing of the tenant's changed there meanwhile.
   */
  fingerprint(tenant: string): Promise<string>;
}

/** Both CLI exports of a side, side by side. */
export async function exportSide(side: Pick<PromotionN8n, 'exportItems'>, tenant: string): Promise<[Record<string, unknown>[], Record<string, unknown>[]]> {
  return Promise.all([side.exportItems(tenant, 'workflows'), side.exportItems(tenant, 'credentials')]);
}

export interface SealedSource {
  exportFile: string;
  /** The source's fingerprint, taken before its CLI exports read it. */
  fingerprint: string;
  exported: { workflows: number; credentials: number; workflowsSha256: string; credentialsSha256: string };
  /** What was sealed (in memory only): a step that imports it at once need not open the file. */
  data: TenantExport;
}

/** The export step: the fingerprint first (a change from here on shows at the verify), the exports, sealed under the master key. */
export async function sealSource(source: MoveSource, tenant: string, operationId: string, workDir: string, masterKey: Buffer): Promise<SealedSource> {
  const fingerprint = await source.fingerprint(tenant);
  const [workflows, credentials] = await exportSide(source, tenant);
  const exportFile = await writeSealedExport(workDir, operationId, masterKey, { workflows, credentials });
  const content = tenantContent(workflows, credentials);
  return { exportFile, fingerprint, exported: { workflows: content.workflows.count, credentials: content.credentials.count, workflowsSha256: content.workflows.sha256, credentialsSha256: content.credentials.sha256 }, data: { workflows, credentials } };
}

export interface ExpectedContent {
  content: TenantContent;
  /** The exported workflows (their webhook paths are probed on the target). */
  workflows: Record<string, unknown>[];
}

export interface ExpectedFrom {
  /** The operation's kind, as its messages name it. */
  kind: 'promotion' | 'demotion';
  source: MoveSource;
  tenant: string;
  operationId: string;
  /** The journal's sealed export and the fingerprint taken with it (undefined: journaled before fingerprints existed). */
  exportFile: unknown;
  fingerprint: unknown;
  masterKey(): Promise<Buffer>;
  /** The error when the source changed after the export, e.g. promotion.shared-changed; `where` names the side in its message. */
  changed: { code: string; where: string };
}

/**
 * What the target must hold: the sealed export (what was imported), as long as the source's fingerprint is still the
 * one taken at the export. An operation journaled before the fingerprint existed exports the source again instead.
 */
export async function expectedContent(from: ExpectedFrom): Promise<ExpectedContent> {
  const { kind, source, tenant, operationId, changed } = from;
  if (typeof from.fingerprint !== 'string') {
    const [workflows, credentials] = await exportSide(source, tenant);
    return { content: tenantContent(workflows, credentials), workflows };
  }
  const exported = from.fingerprint;
  const [data, print] = await Promise.all([from.masterKey().then((key) => readSealedExport(String(from.exportFile), operationId, key)), source.fingerprint(tenant)]);
  if (print !== exported) throw new OperationError(changed.code, `${kind} ${operationId}: the tenant's workflows or credentials on ${changed.where} changed after the export (fingerprint ${print.slice(0, 12)}, exported ${exported.slice(0, 12)})`);
  return { content: tenantContent(data.workflows, data.credentials), workflows: data.workflows };
}

export interface VerifyReads {
  expected: ExpectedContent;
  /** The target side's content and exported workflows (with `active`) as its CLI exports them now. */
  target: { content: TenantContent; workflows: Record<string, unknown>[] };
}

/** The verify step's reads side by side: the expected content (sealed export and source fingerprint) and the target's two CLI exports. */
export async function verifyReads(from: ExpectedFrom, target: Pick<PromotionN8n, 'exportItems'>): Promise<VerifyReads> {
  const [expected, [workflows, credentials]] = await Promise.all([expectedContent(from), exportSide(target, from.tenant)]);
  return { expected, target: { content: tenantContent(workflows, credentials), workflows } };
}
