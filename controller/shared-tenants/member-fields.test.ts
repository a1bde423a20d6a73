import { describe, expect, it } from 'vitest';
import { renderTenantDetail } from '../../cli/commands/status.js';
import { renderTenantPage } from '../http/tenant-page.js';
import type { SharedMember } from '../store/index.js';
import { memberFields } from './member-fields.js';

const member: SharedMember = {
  tenant: 'acme', email: 'owner@acme.example', userId: 'u-1', projectId: 'p-1', acceptUrl: 'http://n8n.example/signup?token=abc',
  disabled: false, suspendedWorkflows: null, updatedAt: new Date(0),
};
const status = { tenant: 'acme', phase: 'active' as const, conditions: [], observedCommit: null, observedGeneration: null, appliedSpecHash: null, appliedCommit: null, createdAt: new Date(0), updatedAt: new Date(0) };

describe('a shared tenant member in rp9 status and on its page', () => {
  it('shows the invite link until accepted, then how to log in', () => {
    expect(memberFields(member)).toContainEqual(['Invite link', 'http://n8n.example/signup?token=abc']);
    expect(memberFields({ ...member, acceptUrl: null })).toContainEqual(['Invite link', 'accepted: log in to the shared n8n with this email']);
  });

  it('shows the deactivated workflows of a suspended tenant and a disabled user', () => {
    const fields = new Map(memberFields({ ...member, suspendedWorkflows: ['w1', 'w2'], disabled: true }));
    expect(fields.get('Deactivated')).toBe('2 workflow(s), reactivated on unsuspend: w1, w2');
    expect(fields.get('Shared n8n user')).toContain('disabled');
  });

  it('renders it in rp9 status <tenant>', () => {
    const text = renderTenantDetail({ status, operations: [], events: [], member }, new Date(0));
    expect(text).toMatch(/Invite link:\s+http:\/\/n8n\.example\/signup\?token=abc/);
    expect(text).toMatch(/Personal project:\s+p-1/);
  });

  it('renders it on the tenant page, the link clickable and every value escaped', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    const html = renderTenantPage({ name: 'acme', row: undefined, events: [], generatedAt: new Date(0), member: [...memberFields(member), ['Shared n8n user', evil], ['Invite link', `http://x/${evil}`]] });
    expect(html).toContain('<a href="http://n8n.example/signup?token=abc">');
    expect(html).not.toContain('<img');
  });
});
