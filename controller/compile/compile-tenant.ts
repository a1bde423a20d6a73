// compileTenant: one LoadedTenant -> the resources that should exist for it. Pure.
import type { LoadedTenant, Platform } from '../../config/types.js';
import { LABEL, MANAGED_BY, type PromotionRoute, type DesiredDatabase, type DesiredResource, type DesiredRoute, type DesiredTenant, type DesiredVolume, type RouteRateLimit, type RouteTarget } from '../model.js';
import { containerTemplate, tenantContainers, type ContainerTemplate } from './containers.js';
import type { CompileContext } from './context.js';
import { CompileError } from './errors.js';
import { tenantServices } from './services.js';
import { digest, stableHash } from './hash.js';
import { databaseName, databaseRole, mainContainerName, routeName, volumeName, type Colour } from './names.js';

export function compileTenant(platform: Platform, loaded: LoadedTenant, context: CompileContext, now?: Date): DesiredTenant {
  return compileTenantWith(platform, loaded, containerTemplate(context), now);
}

/**
 * A dedicated tenant whose promotion window is still ahead is provisioned now
 * but keeps being served by the shared n8n until the window opens. Without
 * `now`, promotions are taken as due.
 */
export function awaitingPromotion(spec: LoadedTenant['tenant']['spec'], now: Date | undefined): boolean {
  if (spec.mode !== 'dedicated' || !spec.promotion || !now) return false;
  return Date.parse(spec.promotion.window) > now.getTime();
}

/**
 * Who serves a tenant. Once the window is open, the promotion operation moves
 * the data and the route; its journal (`promotion`, from
 * controller/promotion/views.ts) says where the route is: shared until the
 * operation starts, the freeze response while it runs, dedicated once it
 * switched. Without a journal view (`rp9 plan` offline) a due promotion is
 * shown as moved.
 */
export function servedBy(spec: LoadedTenant['tenant']['spec'], now: Date | undefined, promotion: PromotionRoute | null | undefined): PromotionRoute['route'] {
  // A shared tenant's entry is its demotion's hold: the route follows the demotion's journal.
  if (spec.mode !== 'dedicated') return promotion?.route ?? 'shared';
  if (awaitingPromotion(spec, now)) return 'shared';
  if (!spec.promotion || promotion === undefined) return 'dedicated';
  return promotion?.route ?? 'shared';
}

/**
 * compileTenant with the per-context container parts built once (compileDesired shares them across tenants).
 * `promotion`: undefined without a journal, null when the journal has no promotion of this tenant.
 * `colour`: which of the tenant's two stacks (blue/green upgrades) to compile; green is the original names.
 */
export function compileTenantWith(platform: Platform, loaded: LoadedTenant, template: ContainerTemplate, now?: Date, promotion?: PromotionRoute | null, colour: Colour = 'green'): DesiredTenant {
  const { context } = template;
  const { spec } = loaded.tenant;
  const name = loaded.name;
  const plan = platform.spec.plans[spec.plan];
  if (!plan) {
    throw new CompileError('compile.unknown-plan', `plan "${spec.plan}" is not defined in platform.yaml`, 'spec.plan', loaded.file);
  }
  const suspended = spec.suspended === true;
  const host = `${spec.subdomain}.${platform.spec.domain}`;
  const resources: DesiredResource[] = [];

  // A shared tenant with a demotion hold keeps its dedicated stack (running until demoted, then stopped) and the n8n it ran.
  const demotionHold = spec.mode === 'shared' && promotion ? promotion : undefined;
  if (spec.mode === 'dedicated' || demotionHold) {
    const database = desiredDatabase(name, colour);
    const volume = desiredVolume(name, spec.resources?.storageGb ?? plan.storageGb, context);
    // On a swarm the volume is node-local and the engine makes it where the task lands (docs/scale-out.md).
    const swarm = platform.spec.runtime === 'swarm';
    resources.push(database);
    if (!swarm) resources.push(volume);
    const n8nVersion = demotionHold?.n8nVersion ?? spec.n8n?.version ?? platform.spec.dedicated.n8nVersion;
    const containers = tenantContainers(
      {
        tenant: name,
        host,
        image: `${platform.spec.dedicated.image}:${n8nVersion}`,
        n8nVersion,
        cpu: spec.resources?.cpu ?? plan.cpu,
        memoryMb: spec.resources?.memoryMb ?? plan.memoryMb,
        database: database.database,
        dbUser: database.role,
        volume: volume.name,
        workers: spec.resources?.workers ?? plan.workers,
        running: !suspended && !(spec.promotion && promotion?.stopped) && !demotionHold?.stopped,
        ...(spec.throttle?.concurrency !== undefined ? { concurrencyLimit: spec.throttle.concurrency } : {}),
        colour,
      },
      template,
    );
    if (swarm) resources.push(...tenantServices(containers, { region: spec.region, colour }));
    else for (const container of containers) resources.push(container);
  }

  const hosts = spec.mode === 'dedicated' ? [host, ...(spec.customDomains ?? [])] : [host];
  const rateLimit = spec.throttle ? { perMinute: spec.throttle.requestsPerMinute, burst: spec.throttle.burst } : undefined;
  resources.push(desiredRoute(name, hosts, routeTarget(platform, name, servedBy(spec, now, promotion), suspended, context, colour), context, rateLimit));

  return {
    name,
    mode: spec.mode,
    plan: spec.plan,
    suspended,
    ...(suspended && spec.suspendedReason ? { suspendedReason: spec.suspendedReason } : {}),
    ...(spec.throttle ? { throttle: { limit: spec.throttle.limit, reason: spec.throttle.reason } } : {}),
    specHash: tenantSpecHash(resources),
    generation: loaded.generation,
    resources,
  };
}

function desiredDatabase(tenant: string, colour: Colour): DesiredDatabase {
  const name = databaseName(tenant, colour);
  const role = databaseRole(tenant);
  return { kind: 'database', name, tenant, database: name, role, hash: stableHash({ database: name, kind: 'database', name, role }) };
}

function desiredVolume(tenant: string, sizeGb: number, context: CompileContext): DesiredVolume {
  const name = volumeName(tenant);
  const labels = { [LABEL.environment]: context.environment, [LABEL.managedBy]: MANAGED_BY, [LABEL.tenant]: tenant };
  return { kind: 'volume', name, tenant, labels, sizeGb, hash: stableHash({ kind: 'volume', labels, name, sizeGb }) };
}

/** The Retry-After of a promotion's freeze (bounded by its ttlMinutes, usually seconds). */
export const FREEZE_RETRY_AFTER_SECONDS = 30;

function routeTarget(platform: Platform, tenant: string, mode: PromotionRoute['route'], suspended: boolean, context: CompileContext, colour: Colour): RouteTarget {
  // A promotion's freeze answers like a suspended workspace, 503, but with a Retry-After of seconds: the freeze is short.
  if (suspended) return { type: 'suspended', url: context.suspendedUrl };
  if (mode === 'frozen') return { type: 'suspended', url: context.suspendedUrl, retryAfterSeconds: FREEZE_RETRY_AFTER_SECONDS };
  if (mode === 'shared') return { type: 'shared', url: platform.spec.sharedN8n.url };
  return { type: 'dedicated', url: `http://${mainContainerName(tenant, colour)}:${context.n8nPort}` };
}

function desiredRoute(tenant: string, hosts: string[], target: RouteTarget, context: CompileContext, rateLimit: RouteRateLimit | undefined): DesiredRoute {
  const name = routeName(tenant);
  // An unthrottled route hashes as before the field existed, so existing route files stay converged.
  const hash = stableHash({ hosts, kind: 'route', name, target, tenant, traefik: context.traefik, ...(rateLimit ? { rateLimit } : {}) });
  return { kind: 'route', name, tenant, hosts, target, ...(rateLimit ? { rateLimit } : {}), hash };
}

/** Everything that can change about the tenant: each resource's hash plus what changes in place. Names hold no ':' or newline. */
function tenantSpecHash(resources: DesiredResource[]): string {
  let text = '';
  for (const resource of resources) {
    text += `${resource.kind}:${resource.name}:${resource.hash}`;
    if (resource.kind === 'container') text += `:${resource.cpu}:${resource.memoryMb}:${resource.running ? 1 : 0}`;
    if (resource.kind === 'service') text += `:${resource.cpu}:${resource.memoryMb}:${resource.replicas}`;
    text += '\n';
  }
  return digest(text);
}
