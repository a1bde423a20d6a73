// Endpoints of the product spec whose feature is not built yet: each answers
// 501 naming the feature and the issue it belongs to, after authentication,
// so a front end can be written against the whole surface today.
import { ApiError, type ApiRoute } from './route.js';
import { TENANT_PARAMS } from './schemas.js';

interface Unbuilt {
  method: ApiRoute['method'];
  url: string;
  role: ApiRoute['role'];
  tag: ApiRoute['tag'];
  summary: string;
  feature: string;
}

const UNBUILT: readonly Unbuilt[] = [
  { method: 'GET', url: '/analytics/growth', role: 'viewer', tag: 'analytics', summary: 'Tenants by plan and mode over time', feature: 'capacity analytics (#13)' },
  { method: 'GET', url: '/analytics/promotion-forecast', role: 'viewer', tag: 'analytics', summary: 'Promotion candidates of the next 30 days', feature: 'capacity analytics (#13)' },
  { method: 'GET', url: '/analytics/recommendations', role: 'viewer', tag: 'analytics', summary: 'Host capacity and over-allocated tenants', feature: 'capacity analytics (#13)' },
];

export const UNBUILT_ROUTES: readonly ApiRoute[] = UNBUILT.map((u) => ({
  method: u.method,
  url: u.url,
  role: u.role,
  tag: u.tag,
  summary: `${u.summary} — not built yet: 501`,
  schema: u.url.includes(':id') ? { params: { ...TENANT_PARAMS, properties: { id: { type: 'string', minLength: 1, maxLength: 128 } } } } : {},
  async handle() {
    throw new ApiError(501, 'api.not-implemented', `not built yet: ${u.feature}`, { feature: u.feature });
  },
}));
