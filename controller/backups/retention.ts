// Which catalogued backups have expired, pure. Grandfather-father-son by
// count: the newest `daily` daily backups, `weekly` weekly and `monthly`
// monthly are kept; manual and pre-* backups are kept until their keepUntil
// (none: kept). A tenant's newest verified backup is never expired.
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4, monthly: 12 };

/** The platform's retention with the counts a plan overrides (`plans.<plan>.backupRetention`). */
export function retentionFor(platform: { retention?: Partial<RetentionPolicy> | undefined }, plan: { backupRetention?: Partial<RetentionPolicy> | undefined } | undefined): RetentionPolicy {
  return { ...DEFAULT_RETENTION, ...platform.retention, ...plan?.backupRetention };
}

export interface RetainedBackup {
  id: string;
  tenant: string;
  kind: string;
  status: 'completed' | 'verified';
  createdAt: Date;
  keepUntil: Date | null;
}

export interface Expiry {
  id: string;
  tenant: string;
  reason: string;
}

export function expiredBackups(backups: readonly RetainedBackup[], now: Date, policyOf: (tenant: string) => RetentionPolicy): Expiry[] {
  const byTenant = new Map<string, RetainedBackup[]>();
  for (const b of backups) byTenant.set(b.tenant, [...(byTenant.get(b.tenant) ?? []), b]);
  const out: Expiry[] = [];
  for (const [tenant, list] of byTenant) {
    const policy = policyOf(tenant);
    const newest = [...list].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id));
    const lastVerified = newest.find((b) => b.status === 'verified');
    const seen: Record<string, number> = {};
    for (const b of newest) {
      seen[b.kind] = (seen[b.kind] ?? 0) + 1;
      const reason = expiryReason(b, seen[b.kind] as number, policy, now);
      if (!reason) continue;
      if (b.id === lastVerified?.id) continue;
      out.push({ id: b.id, tenant, reason });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

function expiryReason(b: RetainedBackup, rank: number, policy: RetentionPolicy, now: Date): string | undefined {
  if (b.kind === 'daily' || b.kind === 'weekly' || b.kind === 'monthly') {
    const keep = policy[b.kind];
    if (b.keepUntil && b.keepUntil.getTime() > now.getTime()) return undefined;
    return rank > keep ? `${b.kind} backup ${rank} of the tenant, retention keeps ${keep}` : undefined;
  }
  if (b.keepUntil && b.keepUntil.getTime() <= now.getTime()) return `${b.kind} backup kept until ${b.keepUntil.toISOString()}`;
  return undefined;
}
