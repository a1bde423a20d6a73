// The shared vocabulary of rp9's bots: a bot never touches infrastructure, it
// returns Proposals (edits to one tenant file plus the evidence behind them)
// that the runner turns into pull requests.

/** Every bot that may open pull requests. */
export type BotName = 'autoscale' | 'promotion' | 'upgrades' | 'enforcement' | 'stripe-sync';

export const BOT_NAMES: readonly BotName[] = ['autoscale', 'promotion', 'upgrades', 'enforcement', 'stripe-sync'];

/** Risk classes per bot; each one is a key of `platform.spec.autoMerge.<bot>`. */
export type AutoscaleRisk = 'withinCeiling' | 'beyondCeiling';
export type PromotionRisk = 'high' | 'medium' | 'low';
export type UpgradesRisk = 'patch' | 'minor' | 'major';
export type EnforcementRisk = 'warning' | 'throttle' | 'suspend' | 'lift';
export type StripeSyncRisk = 'planChange' | 'limitChange';

export interface RiskClassByBot {
  autoscale: AutoscaleRisk;
  promotion: PromotionRisk;
  upgrades: UpgradesRisk;
  enforcement: EnforcementRisk;
  'stripe-sync': StripeSyncRisk;
}
export type RiskClass = RiskClassByBot[BotName];

/** The `platform.spec.autoMerge` section that holds each bot's switches. */
export const AUTO_MERGE_SECTION = {
  autoscale: 'autoscale',
  promotion: 'promotion',
  upgrades: 'upgrades',
  enforcement: 'enforcement',
  'stripe-sync': 'stripeSync',
} as const satisfies Record<BotName, string>;

export const RISK_CLASSES: { [B in BotName]: readonly RiskClassByBot[B][] } = {
  autoscale: ['withinCeiling', 'beyondCeiling'],
  promotion: ['high', 'medium', 'low'],
  upgrades: ['patch', 'minor', 'major'],
  enforcement: ['warning', 'throttle', 'suspend', 'lift'],
  'stripe-sync': ['planChange', 'limitChange'],
};

/**
 * One field of a tenant file to set (or delete when `value` is undefined).
 * `previous` is the effective value the bot saw (the plan's default when the
 * file omits the field); it only feeds the PR text, never the edit.
 */
export interface FieldEdit {
  path: string[];
  value: unknown;
  previous?: unknown;
}

export type Comparator = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** One measured fact behind a proposal, rendered as a row of the PR's evidence table. */
export interface Evidence {
  metric: string;
  value: number | string | boolean;
  /** The effective threshold compared against (tolerance already applied). */
  threshold: number | string | boolean;
  comparator: Comparator;
  /** Observation window, for example `15m`, `6h`; empty for a fact of the config. */
  window: string;
  /** Unit shown after value and threshold: `s`, `%`, `/min`, `h`, `d`; empty for none. */
  unit: string;
}

interface ProposalBase<B extends BotName> {
  bot: B;
  tenant: string;
  /** `tenants/<name>.yaml` */
  file: string;
  edits: FieldEdit[];
  riskClass: RiskClassByBot[B];
  /** One line: what fired. */
  trigger: string;
  evidence: Evidence[];
  /** A short paragraph for the PR body. */
  summary: string;
  title: string;
  labels: string[];
  /** Set when this proposal must wait for a human whatever the auto-merge switch says: why. */
  review?: string;
}

/** A proposal of one bot for one tenant file; the union keeps bot and risk class consistent. */
export type Proposal = { [B in BotName]: ProposalBase<B> }[BotName];
export type ProposalOf<B extends BotName> = ProposalBase<B>;

export interface AutoMergeDecision {
  autoMerge: boolean;
  /** The setting that decided, for example `autoMerge.autoscale.withinCeiling = true`. */
  rule: string;
}

export function tenantFile(tenant: string): string {
  return `tenants/${tenant}.yaml`;
}

/** The labels every bot PR carries: the bot and its risk class. */
export function proposalLabels(bot: BotName, riskClass: string): string[] {
  return ['rp9-bot', `bot:${bot}`, `risk:${riskClass}`];
}
