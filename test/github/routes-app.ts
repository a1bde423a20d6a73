import { issueInstallationToken, type AuthRegistry } from './auth.js';
import { HttpError, isoAt } from './model.js';
import type { Route } from './route.js';

/** GitHub App installation access tokens (`POST /app/installations/{id}/access_tokens`, JWT only). */
export function appRoutes(registry: AuthRegistry, ttlMs: () => number): Route[] {
  return [
    {
      method: 'POST',
      template: '/app/installations/{installation_id}/access_tokens',
      auth: 'jwt',
      handle(ctx) {
        const app = ctx.app;
        const installationId = Number(ctx.params.installation_id);
        if (!app || !app.installationIds.has(installationId)) throw new HttpError(404, 'Not Found');
        const expiresAt = ctx.world.now() + ttlMs();
        const issued = issueInstallationToken(registry, app, installationId, expiresAt);
        const body = {
          token: issued.token,
          expires_at: isoAt(expiresAt),
          permissions: { contents: 'write', pull_requests: 'write', statuses: 'write', issues: 'write', metadata: 'read' },
          repository_selection: 'all',
        };
        return { status: 201, body };
      },
    },
  ];
}
