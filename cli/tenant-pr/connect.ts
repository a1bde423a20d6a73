// The forge and the base branch's config for `rp9 tenant promote|failover`,
// from the same environment as the bots (RP9_GITHUB_*): the files are fetched
// from the base branch over git, the pull request goes through the forge.
import type { Forge, MergeMethod } from '../../edges/forge/forge.js';
import type { Logger } from '../../kernel/log/logger.js';
import { BotError } from '../../bots/core/errors.js';
import { runDepsFrom } from '../../bots/runner/wire.js';
import { botsSettingsFromEnv } from '../../bots/sources/env.js';
import type { BaseConfig } from '../../bots/sources/types.js';
import type { TenantPrPurpose } from './open-tenant-pr.js';

export const FORGE_ENVIRONMENT = [
  'Environment (the same as `rp9 bots`):',
  '  RP9_GITHUB_TOKEN (or the RP9_GITHUB_APP_* variables)  contents and pull-requests write access',
  '  RP9_GITHUB_REPOSITORY   owner/repo of the config repo',
  '  RP9_GITHUB_API_URL      REST API URL (GitHub Enterprise); default https://api.github.com',
  '  RP9_GITHUB_BASE_BRANCH  branch the config lives on (default main)',
].join('\n');

export async function connectForge(env: NodeJS.ProcessEnv, purpose: TenantPrPurpose, now: Date, logger: Logger): Promise<{ forge: Forge; base: BaseConfig; merge: { requiredContexts: string[]; method: MergeMethod } }> {
  const settings = botsSettingsFromEnv(env);
  if (!settings.github) throw new BotError('bots.no-forge', 'no GitHub credentials: set RP9_GITHUB_TOKEN (or the RP9_GITHUB_APP_* variables) and RP9_GITHUB_REPOSITORY');
  const deps = await runDepsFrom(settings, { bot: `tenant-${purpose}`, dryRun: false, now, logger });
  if (!deps.forge) throw new BotError('bots.no-forge', 'no forge configured');
  return { forge: deps.forge, base: deps.base, merge: { requiredContexts: deps.options?.requiredContexts ?? [], method: deps.options?.mergeMethod ?? 'squash' } };
}
