// Every setting `rp9 controller` reads, as data: the settings table of
// docs/operations.md is generated from it (`npm run gen:settings-docs`), and
// a test fails when the table, this list and the variables the controller's
// code reads disagree.

export interface SettingDoc {
  /** Environment variables, read in this order; empty for a flag only. */
  env: readonly string[];
  /** Command-line flag of `rp9 controller` that overrides the variable. */
  flag?: string;
  meaning: string;
  /** Which of `env` are secrets: each also works as `NAME_FILE` (a file holding the value, as compose and Kubernetes secrets mount). */
  secrets?: readonly string[];
}

export const CONTROLLER_SETTINGS: readonly SettingDoc[] = [
  { env: ['RP9_REPO_URL', 'RP9_REPO_BRANCH'], flag: '--repo, --branch', meaning: 'config repo (http(s) URL or local path; default the current directory) and branch (default `main`)' },
  { env: ['RP9_GIT_TOKEN'], secrets: ['RP9_GIT_TOKEN'], meaning: 'token for an http(s) repo (basic auth), never logged' },
  { env: ['RP9_STATE_DIR'], flag: '--state-dir', meaning: 'embedded store, git cache and generated master key (default `.rp9`)' },
  { env: ['RP9_ROUTES_DIR'], flag: '--routes-dir', meaning: 'directory Traefik\'s file provider watches (default `<state-dir>/traefik`)' },
  { env: ['RP9_LISTEN'], flag: '--listen', meaning: '`host:port` of the status page, health and metrics (default `127.0.0.1:9090`)' },
  { env: ['RP9_INTERVAL_SECONDS'], flag: '--interval', meaning: 'seconds between reconcile passes (default 60)' },
  { env: ['RP9_CONCURRENCY'], flag: '--concurrency', meaning: 'tenants applied at once (default 4)' },
  { env: [], flag: '--allow-mass-deletion <commit>', meaning: 'lets the plan of that one commit (sha or 7+ hex digit prefix) remove more than `safety.maxDeletionPercent` of tenants; later commits are not covered. Prefer `spec.safety.allowDeletion` in `platform.yaml` ([plan.md](plan.md#safety-rails))' },
  { env: ['DATABASE_URL'], secrets: ['DATABASE_URL'], meaning: 'PostgreSQL for the state store (default: embedded in `<state-dir>`)' },
  { env: ['RP9_TENANT_DATABASE_URL'], secrets: ['RP9_TENANT_DATABASE_URL'], meaning: 'admin URL of the server holding tenant databases (default `DATABASE_URL`); probed by `/readyz` and `/health/detailed`' },
  { env: ['RP9_MASTER_KEY'], secrets: ['RP9_MASTER_KEY'], meaning: '32-byte key (base64 or hex) that encrypts tenant secrets; required with `DATABASE_URL` (checked at start); generated into `<state-dir>/master.key` for the embedded store' },
  { env: ['DOCKER_HOST'], meaning: '`unix:///path` or `tcp://host:port` (default `/var/run/docker.sock`)' },
  { env: ['RP9_CONTAINER_POSTGRES', 'RP9_CONTAINER_REDIS'], meaning: '`host:port` as tenant containers reach PostgreSQL and Redis (default: the host and port of `RP9_TENANT_DATABASE_URL`, else `postgres:5432`; `redis:6379`); a loopback address is refused at start, and both are probed from a container (`settings.container-address-unreachable`)' },
  { env: ['RP9_DOCKER_NETWORK'], meaning: 'network tenant containers join (default `rp9`)' },
  { env: ['RP9_SUSPENDED_URL'], meaning: 'where suspended tenants are routed (default `http://controller:9090`)' },
  { env: ['RP9_N8N_PORT', 'RP9_N8N_RUNNERS_BROKER_PORT'], meaning: 'ports n8n listens on inside its containers: HTTP (default 5678) and the task-runner broker (default 5679)' },
  { env: ['RP9_HEALTH_TIMEOUT_SECONDS'], meaning: 'how long apply waits for a new or recreated container to turn healthy, and a restore for its sandbox or restarted tenant to pass its health checks (default 180)' },
  { env: ['RP9_GITHUB_TOKEN', 'RP9_GITHUB_REPOSITORY', 'RP9_GITHUB_API_URL'], secrets: ['RP9_GITHUB_TOKEN'], meaning: 'commit statuses on each commit read, context `rp9/<environment>`; the PRs a failed upgrade or promotion opens' },
  { env: ['RP9_PUBLIC_URL'], meaning: 'http(s) URL of the status page as people reach it (e.g. `https://rp9.example.com/`); commit statuses link to it. **Set it in production.** Unset, statuses link `http://<host>:<port>/` of `--listen` when that names one address (the loopback default suits a local run only), and carry no link when it is `0.0.0.0` or `::`' },
  { env: ['RP9_GITHUB_WEBHOOK_SECRET'], secrets: ['RP9_GITHUB_WEBHOOK_SECRET'], meaning: 'secret of the push webhook' },
  { env: ['RP9_STRIPE_WEBHOOK_SECRET', 'RP9_STRIPE_SECRET_KEY', 'RP9_STRIPE_API_URL'], secrets: ['RP9_STRIPE_WEBHOOK_SECRET', 'RP9_STRIPE_SECRET_KEY'], meaning: '`POST /hooks/stripe`: the endpoint\'s signing secret (`whsec_…`; without it the route answers 503), a Stripe API key for the official client, and another API endpoint (a proxy). A subscription event naming another plan opens the stripe-sync PR for that tenant (needs `RP9_GITHUB_TOKEN`)' },
  { env: ['RP9_API_JWT_SECRET', 'RP9_API_JWKS_PATH', 'RP9_API_JWT_ISSUER', 'RP9_API_JWT_AUDIENCE'], secrets: ['RP9_API_JWT_SECRET'], meaning: 'how the signed API ([api.md](api.md)) checks `Authorization: Bearer` JWTs: an HS256 secret (32+ bytes) and/or a JWKS file of public keys by `kid` (read again when it changes: key rotation), with issuer (default `rp9`) and audience (default `rp9-api`). Without any API key the API answers 503 `api.not-configured`' },
  { env: ['RP9_API_HMAC_SECRET'], secrets: ['RP9_API_HMAC_SECRET'], meaning: 'key (32+ bytes) of the `x-rp9-signature` HMAC every API request carries; required with a JWT key' },
  { env: ['RP9_PROMETHEUS_URL'], meaning: 'Prometheus the API reads for `GET /metrics/tenant/:id` and gives the bots it runs on demand (`POST /autoscale/run`, `POST /enforcement/run`, which also need `RP9_GITHUB_TOKEN` and read the bots\' other settings, [bots.md](bots.md)); unset, those answer 503' },
  { env: ['RP9_BOTS_GIT_CACHE_DIR'], meaning: 'where bot runs on demand keep their clone of the config repo (default `<tmp>/rp9-bots-git`)' },
  { env: ['RP9_SMTP_URL', 'RP9_SMTP_FROM', 'RP9_SLACK_WEBHOOK_URL'], meaning: 'where an enforcement run on demand sends its notices (each once: the record is the store); unset, they are listed in the answer as skipped' },
  { env: ['RP9_API_RATE_LIMIT'], meaning: 'API requests per caller (JWT `sub`) per minute (default 300)' },
  { env: ['RP9_LEASE_TTL_SECONDS', 'RP9_LEASE_RENEW_SECONDS'], meaning: 'leader lease timing (default 15 s / 5 s)' },
  { env: ['RP9_TELEMETRY_INTERVAL_SECONDS'], meaning: 'how often the leader measures per-tenant usage for `/metrics` (default 60)' },
  { env: ['RP9_SHARED_N8N_DATABASE_URL'], secrets: ['RP9_SHARED_N8N_DATABASE_URL'], meaning: 'the shared n8n\'s database: executions of shared tenants, attributed to the personal project of the n8n user whose email is the tenant\'s `metadata.email` (the tenant label `rp9.io/n8n-project: <project id>` overrides it); a promotion reads there the tenant\'s project, which of its workflows are active and a fingerprint of its workflows and credentials (the role needs read access to `workflow_entity`, `shared_workflow`, `credentials_entity` and `shared_credentials`)' },
  { env: ['RP9_SHARED_N8N_URL', 'RP9_SHARED_N8N_API_KEY'], secrets: ['RP9_SHARED_N8N_API_KEY'], meaning: 'the shared n8n\'s public API as the controller reaches it (default `spec.sharedN8n.url` of `platform.yaml`) and an API key of its owner (also `RP9_SHARED_N8N_API_KEY_FILE`): with the key, each shared tenant gets a member user for its `metadata.email`, suspending deactivates its active workflows (and unsuspending reactivates exactly those), removal from git disables the user (needs `RP9_SHARED_N8N_DATABASE_URL`). With `RP9_SHARED_N8N_CONTAINER` and `RP9_SHARED_N8N_DATABASE_URL` as well, promotions move the tenant\'s workflows. Without the key shared tenants get a route only, and a due promotion is logged as `promotion.not-configured` (once per tenant and generation)' },
  { env: ['RP9_OPERATIONS_INTERVAL_SECONDS'], meaning: 'how often the leader advances long operations (backups, drills, promotions, upgrades) by one step each, starts due scheduled backups and drills, and prunes expired backups (default 30); a pass that moved an operation (a step done, failed or undone) or started one is followed by the next at once (up to 50 in a row), so an operation\'s steps run back to back and only a waiting step (an upgrade\'s watch) waits the interval' },
  { env: ['RP9_SLACK_WEBHOOK_URL'], secrets: ['RP9_SLACK_WEBHOOK_URL'], meaning: 'a Slack incoming webhook of the platform channel: the controller posts there a failed restore drill (once per drill), a failed or rolled-back promotion or upgrade (once per operation), and the Stalled tenants (once per change of the set, after a reconcile pass); each is recorded in the store so a restart does not post it again, and one that could not be delivered is retried (the bots use it too, docs/bots.md)' },
  { env: ['RP9_OPERATOR_EMAIL', 'RP9_SMTP_URL', 'RP9_SMTP_FROM'], secrets: ['RP9_SMTP_URL'], meaning: 'the operators\' email address, and the SMTP server (`smtp://user:pass@host:587` or `smtps://`) and From address to reach it: the notices posted to `RP9_SLACK_WEBHOOK_URL` (failed drills, failed or rolled-back promotions and upgrades, Stalled tenants) also go there, each once (the bots read the same SMTP settings for tenants\' enforcement notices). `RP9_OPERATOR_EMAIL` without the other two is a startup error' },
  { env: ['RP9_SHARED_N8N_CONTAINER'], meaning: 'the shared n8n\'s container, where `n8n export:*` runs for shared tenants\' backups (with `RP9_SHARED_N8N_DATABASE_URL`, where each tenant\'s project is found). Without both, shared tenants\' scheduled backups do not start, logged once per tenant as `backup.not-configured` (the BackupMissed alert still fires); with `RP9_SHARED_N8N_API_KEY` they also wait for the tenant\'s member user' },
  { env: ['RP9_STATUS_REFRESH_SECONDS'], meaning: 'how often the status pages (`/`, `/?tenant=`) reload themselves, with a meta refresh that needs no JavaScript (default 30)' },
  { env: ['RP9_LOG_LEVEL'], meaning: '`debug`, `info` (default), `warn`, `error`' },
  { env: ['RP9_DEBUG'], meaning: 'any value: a failing command also prints its stack trace' },
];

/** Every secret setting: `withSecretFiles` reads each one's `NAME_FILE`. */
export const SECRET_SETTINGS: readonly string[] = CONTROLLER_SETTINGS.flatMap((s) => s.secrets ?? []);

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function secretNote(setting: SettingDoc): string {
  if (!setting.secrets?.length) return '';
  return `; secret: also \`${setting.secrets.map((name) => `${name}_FILE`).join('`, `')}\``;
}

/** The Markdown table of docs/operations.md (between its `settings-table` markers). */
export function settingsTable(settings: readonly SettingDoc[] = CONTROLLER_SETTINGS): string {
  const rows = settings.map((s) => `| ${s.env.map((name) => `\`${name}\``).join(', ')} | ${s.flag ? s.flag.split(', ').map((f) => `\`${f}\``).join(', ') : ''} | ${cell(s.meaning)}${secretNote(s)} |`);
  return ['| variable | flag | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export const TABLE_START = '<!-- settings-table: generated from controller/runtime/settings-catalog.ts by `npm run gen:settings-docs`; do not edit -->';
export const TABLE_END = '<!-- /settings-table -->';

/** `doc` with the text between the markers replaced by the table; throws when a marker is missing. */
export function withSettingsTable(doc: string, table = settingsTable()): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`docs/operations.md: the markers ${TABLE_START} … ${TABLE_END} are missing or out of order`);
  return `${doc.slice(0, start + TABLE_START.length)}\n${table}\n${doc.slice(end)}`;
}
