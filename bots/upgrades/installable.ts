// Which releases can actually be installed: a release whose dependency tree
// does not resolve from the registry (n8n 2.41.3 here: two of its own
// sub-packages are missing) is not a candidate. Pure: verdicts come from an
// injected source (the runner's), keyed by version; a version without a
// verdict has not been checked yet.
import type { AvailableVersion } from './npm.js';

/** version → true (installs) | false (its tree does not resolve). */
export type InstallVerdicts = ReadonlyMap<string, boolean>;

/** The available versions without those known not to install. */
export function withoutUninstallable(available: readonly AvailableVersion[], verdicts: InstallVerdicts): AvailableVersion[] {
  return available.filter((candidate) => verdicts.get(candidate.version) !== false);
}

/** The step targets no verdict covers yet, each once, in version order of first appearance. */
export function uncheckedTargets(targets: readonly string[], verdicts: InstallVerdicts): string[] {
  const unchecked: string[] = [];
  for (const version of targets) {
    if (!verdicts.has(version) && !unchecked.includes(version)) unchecked.push(version);
  }
  return unchecked;
}

/** Versions known not to install, for the run's notes. */
export function uninstallable(verdicts: InstallVerdicts): string[] {
  return [...verdicts].filter(([, installs]) => !installs).map(([version]) => version).sort();
}
