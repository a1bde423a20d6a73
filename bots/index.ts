// The bots' pure core, for the runner and the CLI (`rp9 bots run`, `rp9 check-pr`).
export * from './core/types.js';
export { BotError } from './core/errors.js';
export { applyEdits, parseYamlStrict, type ApplyEditsOptions } from './core/yaml-edit.js';
export { dottedPath } from './core/paths.js';
export { autoMergeDecision } from './core/auto-merge.js';
export { renderPrBody, type RenderPrBodyOptions } from './core/pr-body.js';
export { rateLimit, type Deferred, type DeferReason, type RateLimitResult, type RateLimitState } from './core/rate-limit.js';
export { changedFields, checkOwnership, ownedFields, type OwnershipViolation } from './core/ownership.js';
export { decideAutoscale, type AutoscaleInputs, type AutoscaleTenantInput, type TenantWindowMetrics } from './autoscale/decide.js';
export { decidePromotion, type Candidate, type PromotionDecision, type PromotionInputs, type PromotionMetrics } from './promotion/decide.js';
export { renderCandidateTable } from './promotion/table.js';
export { nextMaintenanceWindow, formatWindow } from './promotion/window.js';
export { decideUpgrades, riskOf, targetVersion, type UpgradeTenantInput, type UpgradesInputs } from './upgrades/decide.js';
export { parseNpmVersions, type AvailableVersion } from './upgrades/npm.js';
