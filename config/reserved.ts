// Subdomains no tenant may take, whatever platform.yaml says: they name the
// platform's own services, or would confuse users and mail.
export const BUILTIN_RESERVED_SUBDOMAINS: readonly string[] = [
  'www', 'api', 'app', 'admin', 'traefik', 'grafana', 'prometheus', 'orchestrator', 'rp9', 'status',
  'mail', 'smtp', 'n8n', 'shared', 'metrics', 'hooks', 'auth', 'login', 'dashboard',
];

/** `<tenant>-restore-<yyyymmdd>` names restore sandboxes, `<tenant>-drill-<yyyymmdd>` restore drills' (controller/sandbox/): no tenant name or subdomain may take them. */
export const SANDBOX_NAME_PATTERN = /-(restore|drill)-\d{8}$/;
