import type { Migration } from './index.js';

// Shared tenants' members on the shared n8n: the user rp9 invited for the
// tenant's email, its personal project (the tenant's data boundary), the
// invitation link, whether rp9 disabled it (tenant removed from git), and the
// workflows rp9 deactivated to suspend it (null when not suspended), so that
// resuming reactivates exactly those.
export const sharedMembers: Migration = {
  version: 4,
  name: 'shared-members',
  statements: [
    `create table shared_members (
      tenant text primary key,
      email text not null,
      user_id text not null,
      project_id text,
      accept_url text,
      disabled boolean not null default false,
      suspended_workflows jsonb,
      updated_at timestamptz not null default now()
    )`,
  ],
};
