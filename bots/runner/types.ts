// The runner's vocabulary: what a run needs, the forge operations it plans
// (a value: `--dry-run` prints them, execute() performs them) and its report.
import type { AutoMergeDecision, Candidate, Proposal, RiskClass } from '../index.js';
import type { AvailableVersion } from '../upgrades/npm.js';
import type { UpgradeRecord } from '../upgrades/canary-health.js';
import type { MeterEvent, Notice } from '../enforcement/decide.js';
import type { SubscriptionView } from '../stripe-sync/decide.js';
import type { Forge, MergeMethod } from '../../edges/forge/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { BaseConfig, BotMetrics, FieldHistory } from '../sources/types.js';

export type RunnableBot = 'autoscale' | 'promotion' | 'upgrades' | 'enforcement' | 'stripe-sync';
export const RUNNABLE_BOTS: readonly RunnableBot[] = ['autoscale', 'promotion', 'upgrades', 'enforcement', 'stripe-sync'];

export function isRunnableBot(name: string): name is RunnableBot {
  return (RUNNABLE_BOTS as readonly string[]).includes(name);
}

export interface RunOptions {
  /** Contexts that must be green before the runner merges itself (when native auto-merge is unavailable). */
  requiredContexts: string[];
  /** Default 'squash'. */
  mergeMethod: MergeMethod;
}

export interface RunBotDeps {
  /** The config on the base branch. */
  base: BaseConfig;
  /** Required unless dryRun; without it a dry run skips storm limits and open pull requests. */
  forge?: Forge;
  /** Prometheus-backed figures; absent = metrics unavailable (promotion still scores Trigger B). */
  metrics?: BotMetrics;
  /** Git history of the base (fetched, or the local checkout's); absent = cooldowns and soak times unknown. */
  history?: FieldHistory;
  /** Available n8n versions (upgrades); required by the upgrades bot. */
  versions?: () => Promise<AvailableVersion[]>;
  /** Whether versions install from the registry (upgrades); absent = unchecked. */
  installable?: (versions: string[]) => Promise<Map<string, boolean>>;
  /** Enforcement's notifications and Stripe meter events; absent = listed in the report, not sent. */
  effects?: EnforcementEffects;
  /** Every Stripe subscription by customer (stripe-sync); absent = Stripe not configured (a blind run). */
  subscriptions?: () => Promise<ReadonlyMap<string, readonly SubscriptionView[]>>;
  /** The active entitlement features (lookup keys) attached to each of `products` (GET /v1/products/{id}/features); stripe-sync reads them when spec.billing.stripeFeatures is set. */
  productFeatures?: (products: readonly string[]) => Promise<ReadonlyMap<string, readonly string[]>>;
  /** stripe-sync from a webhook: this tenant only, closing nothing. */
  onlyTenant?: string;
  /** Tenant health (upgrades); default: metrics.ready. */
  health?: (now: Date) => Promise<Map<string, boolean>>;
  /** Each tenant's newest upgrade from the controller's journal (upgrades: canary health); absent = readiness only. */
  upgradeJournal?: () => Promise<Map<string, UpgradeRecord>>;
  now: Date;
  dryRun: boolean;
  logger: Logger;
  options?: Partial<RunOptions>;
}

/** A tenant that got no proposal this run although the bot would change it, and why. */
export interface Held {
  tenant: string;
  code: string;
  reason: string;
}

/** What a bot decided from its inputs. */
export interface Decision {
  proposals: Proposal[];
  /**
   * Tenants the bot still wants to change, ignoring cooldowns and health holds: an open PR for a
   * tenant outside this set is obsolete. undefined when the inputs were incomplete (never close then).
   */
  wanted: Set<string> | undefined;
  /**
   * Tenants whose open beyond-ceiling pull request stays open although the bot proposes nothing for
   * them this run (autoscale: still above the scale-down limits, `keepsBeyondCeiling`). Only a PR
   * labelled `risk:beyondCeiling` is kept; any other PR of these tenants closes as usual.
   */
  keepBeyondCeiling?: Set<string>;
  held: Held[];
  candidates?: Candidate[];
  notes: string[];
  /** Why the metrics the bot needs were unavailable (the run decided blind); undefined when it had them. */
  metricsUnavailable?: string;
  /** Enforcement: notices to send (each once, by its key) and overage to report to Stripe. */
  notices?: Notice[];
  meterEvents?: MeterEvent[];
}

/** Where the enforcement bot's effects go; absent = not configured (reported, nothing sent). */
export interface EnforcementEffects {
  /** Sends a notice unless its key was sent before; 'sent', 'duplicate' (sent before) or throws. */
  notify(notice: Notice): Promise<'sent' | 'duplicate' | 'rate-limited'>;
  /** Reports a meter event with its identifier as the idempotency key. */
  meter(event: MeterEvent): Promise<void>;
}

export interface EffectResult {
  kind: 'notice' | 'meter-event';
  key: string;
  tenant: string;
  outcome: 'sent' | 'duplicate' | 'rate-limited' | 'skipped' | 'failed' | 'planned';
  detail?: string;
}

export interface ProposeOperation {
  kind: 'propose';
  bot: RunnableBot;
  tenant: string;
  branch: string;
  baseBranch: string;
  /** The branch is rebuilt on this commit every run. */
  baseSha: string;
  file: string;
  content: string;
  /** Unified diff of the file on the base and `content` (what the pull request shows). */
  diff: string;
  commitMessage: string;
  title: string;
  body: string;
  labels: string[];
  autoMerge: AutoMergeDecision;
  /** 'enable': ask for auto-merge (merge ourselves when the forge can't); 'enabled': already on; 'review': a human merges. */
  merge: 'enable' | 'enabled' | 'review';
  method: MergeMethod;
  requiredContexts: string[];
  /** The open pull request this updates, if any. */
  existing?: number;
}

export interface CloseOperation {
  kind: 'close';
  bot: RunnableBot;
  tenant: string;
  number: number;
  comment: string;
}

export type ForgeOperation = ProposeOperation | CloseOperation;

export type ProposalOutcome = 'planned' | 'deferred' | 'invalid' | 'no-change';

/** One proposal as the report shows it. */
export interface ProposalView {
  tenant: string;
  title: string;
  riskClass: RiskClass;
  /** `spec.resources.cpu: 2 → 3` */
  changes: string[];
  autoMerge: AutoMergeDecision;
  outcome: ProposalOutcome;
  /** Code and reason when not planned. */
  code?: string;
  reason?: string;
}

export type OperationResult =
  | {
      kind: 'propose';
      tenant: string;
      number: number;
      url: string;
      pullRequest: 'created' | 'updated' | 'unchanged';
      commitChanged: boolean;
      /** native: the forge merges when green; merged: the runner merged; waiting: checks not green yet; review: a human merges. */
      merge: 'native' | 'merged' | 'waiting' | 'review';
      detail: string;
    }
  | { kind: 'close'; tenant: string; number: number }
  | { kind: 'failed'; operation: ForgeOperation['kind']; tenant: string; code: string; message: string };

export interface RunReport {
  bot: RunnableBot;
  dryRun: boolean;
  at: string;
  base: { branch: string; sha: string };
  notes: string[];
  /** Set when the run had no metrics (Prometheus missing or unreachable): `rp9 bots run` exits 3. */
  metricsUnavailable?: string;
  candidates?: Candidate[];
  proposals: ProposalView[];
  held: Held[];
  operations: ForgeOperation[];
  /** Empty on a dry run. */
  results: OperationResult[];
  /** Enforcement: each notice and meter event, and what became of it ('planned' on a dry run). */
  effects?: EffectResult[];
}
