// What `rp9 check-pr` decides about a pull request, from the base and head
// config files: is head valid, does a bot PR change only its bot's fields,
// and what would the controller do (the plan from a platform converged on
// base to head). Pure.
import { loadConfig } from '../../config/load-config.js';
import type { ConfigFiles, LoadedConfig, Platform } from '../../config/types.js';
import { compileDesired } from '../../controller/compile/compile-desired.js';
import { createCompileContext, type CompileContext } from '../../controller/compile/context.js';
import type { DesiredState, Plan } from '../../controller/model.js';
import { convergedObserved } from '../../controller/plan/converged-observed.js';
import { plan } from '../../controller/plan/plan.js';
import { maintenanceByTenant, schedulePlan } from '../../controller/maintenance/schedule-plan.js';
import { BotError } from '../core/errors.js';
import { fieldPosition } from '../core/field-position.js';
import { changedFields, checkOwnership, isBranchPurpose, mayCreateTenantFile, purposeOwnedFields, type BranchOwner } from '../core/ownership.js';
import { BOT_NAMES, tenantFile, type BotName } from '../core/types.js';

/** The controller's default compile settings (service addresses inside the platform network). */
export function checkCompileContext(platform: Platform): CompileContext {
  return createCompileContext(platform, { redis: { host: 'redis', port: 6379 }, postgres: { host: 'postgres', port: 5432 }, suspendedUrl: 'http://controller:9090' });
}

export interface BotBranch {
  /** A bot, or the purpose of one of rp9's own branches (bots/core/ownership.ts, purposeOwnedFields). */
  bot: BranchOwner;
  tenant: string;
}

/** `rp9/<bot>/<tenant>` → the bot and tenant; undefined for any other branch. Throws `bots.unknown-bot` for an rp9/ branch of no known bot or purpose. */
export function parseBotBranch(branch: string | undefined): BotBranch | undefined {
  const match = /^rp9\/([^/]+)\/([^/]+)$/.exec(branch ?? '');
  if (!match) return undefined;
  if (isBranchPurpose(match[1]!)) return { bot: match[1], tenant: match[2]! };
  const bot = match[1]!;
  if (!(BOT_NAMES as readonly string[]).includes(bot)) throw new BotError('bots.unknown-bot', `branch ${branch} names no known bot (bots: ${BOT_NAMES.join(', ')}; rp9's branches: ${Object.keys(purposeOwnedFields).join(', ')})`);
  return { bot: bot as BotName, tenant: match[2]! };
}

export interface OwnershipProblem {
  code: 'bots.field-not-owned' | 'bots.file-not-owned' | 'bots.yaml-invalid';
  file: string;
  /** Dotted field; '' for the whole file. */
  field: string;
  /** Where the field is in the head file (its nearest parent when removed; 1:1 for the whole file). */
  line: number;
  column: number;
  message: string;
}

export interface CheckPrInput {
  base: ConfigFiles;
  head: ConfigFiles;
  /** Every path the pull request changes (from git), to catch files outside the config. */
  changedPaths: string[];
  bot?: BotBranch;
  /** How the controller compiles (default: checkCompileContext); the CLI passes the controller's settings. */
  compileContext?: (platform: Platform) => CompileContext;
  /** The clock maintenance windows are read against (default now). */
  now?: Date;
}

export interface CheckPrResult {
  head: LoadedConfig;
  errors: number;
  bot?: BotBranch;
  ownership: OwnershipProblem[];
  /** undefined when head doesn't validate (nothing would be applied) or compile failed; see planNote. */
  plan?: Plan;
  planNote?: string;
}

function text(files: ConfigFiles, path: string): string | undefined {
  const file = path === 'platform.yaml' ? files.platform : files.tenants.find((f) => f.path === path);
  return file ? Buffer.from(file.bytes).toString('utf8') : undefined;
}

export function checkBotOwnership(input: CheckPrInput, bot: BotBranch): OwnershipProblem[] {
  const own = tenantFile(bot.tenant);
  const problems: OwnershipProblem[] = [];
  for (const path of input.changedPaths) {
    if (path === own || path === own.replace(/\.yaml$/, '.yml')) continue;
    problems.push({ code: 'bots.file-not-owned', file: path, field: '', line: 1, column: 1, message: `${bot.bot} may change only ${own} on this branch, not ${path}` });
  }
  const before = text(input.base, own);
  const after = text(input.head, own);
  if (before === undefined && after !== undefined && mayCreateTenantFile(bot.bot)) return problems;
  if (before === undefined || after === undefined) {
    if (before !== after) problems.push({ code: 'bots.file-not-owned', file: own, field: '', line: 1, column: 1, message: `${bot.bot} may not ${before === undefined ? 'create' : 'delete'} ${own}` });
    return problems;
  }
  let fields: string[];
  try {
    fields = changedFields(before, after, { before: `${own} (base)`, after: own });
  } catch (error) {
    return [...problems, { code: 'bots.yaml-invalid', file: own, field: '', line: 1, column: 1, message: (error as Error).message }];
  }
  for (const violation of checkOwnership(bot.bot, fields)) {
    problems.push({ code: violation.code, file: own, field: violation.field, ...fieldPosition(after, violation.field), message: violation.message });
  }
  return problems;
}

function desiredOf(platform: Platform, tenants: LoadedConfig['tenants'], context: (platform: Platform) => CompileContext): DesiredState {
  return compileDesired(platform, tenants, context(platform), { now: new Date() });
}

export interface BaseToHeadOptions {
  /** How the controller compiles (default: checkCompileContext). */
  compileContext?: (platform: Platform) => CompileContext;
  /** The clock maintenance windows are read against (default now). */
  now?: Date;
}

/**
 * What merging head does to a platform that runs base (`rp9 check-pr`, `rp9 plan --base`):
 * base's desired state is taken as the observed state, so the plan shows per tenant
 * what changes and which changes cause downtime. Head must be valid (its platform
 * loaded); a base without a valid platform.yaml counts as an empty platform.
 * Throws when compiling fails.
 */
export function planBaseToHead(base: ConfigFiles, head: { platform: Platform; tenants: LoadedConfig['tenants'] }, options: BaseToHeadOptions = {}): Plan {
  const context = options.compileContext ?? checkCompileContext;
  const desiredHead = desiredOf(head.platform, head.tenants, context);
  const loadedBase = loadConfig(base);
  const observed = loadedBase.platform
    ? convergedObserved(desiredOf(loadedBase.platform, loadedBase.tenants, context))
    : { availability: convergedObserved(desiredHead).availability, resources: [] };
  const planned = plan(desiredHead, observed, {
    maxDeletionPercent: head.platform.spec.safety.maxDeletionPercent,
    allowDeletion: head.platform.spec.safety.allowDeletion,
  });
  // Downtime changes of tenants with maintenance windows show `at window` and when it opens, as the controller will apply them.
  return schedulePlan(planned, maintenanceByTenant(head.platform, head.tenants), options.now ?? new Date());
}

export function checkPullRequest(input: CheckPrInput): CheckPrResult {
  const head = loadConfig(input.head);
  const errors = head.diagnostics.filter((d) => d.severity === 'error').length;
  const result: CheckPrResult = { head, errors, ownership: input.bot ? checkBotOwnership(input, input.bot) : [] };
  if (input.bot) result.bot = input.bot;
  if (errors > 0 || !head.platform) {
    result.planNote = 'No plan: the head config does not validate, so the controller would keep the last good commit.';
    return result;
  }
  try {
    result.plan = planBaseToHead(input.base, { platform: head.platform, tenants: head.tenants }, { ...(input.compileContext ? { compileContext: input.compileContext } : {}), ...(input.now ? { now: input.now } : {}) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    result.planNote = `No plan: compiling failed${typeof code === 'string' ? ` [${code}]` : ''}: ${(error as Error).message}`;
  }
  return result;
}
