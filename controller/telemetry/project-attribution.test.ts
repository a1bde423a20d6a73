import { describe, expect, it } from 'vitest';
import { attributeProjects, emailsToLookUp, normalizeEmail, projectIdOf, type Attribution, type PersonalProjectLookup, type ProjectOwner } from './project-attribution.js';
import { TelemetryError } from './types.js';

const rows = (...pairs: [string, string][]): PersonalProjectLookup => ({ kind: 'rows', rows: pairs.map(([email, projectId]) => ({ email, projectId })) });
const byEmail = (projectId: string): Attribution => ({ kind: 'project', projectId, via: 'email' });
const byLabel = (projectId: string): Attribution => ({ kind: 'project', projectId, via: 'label' });

describe('normalizeEmail', () => {
  it.each([
    ['DevOps@Hooli.xyz', 'devops@hooli.xyz'],
    ['  ops@acme.test ', 'ops@acme.test'],
    ['', ''],
  ])('%j → %j', (email, expected) => {
    expect(normalizeEmail(email)).toBe(expected);
  });
});

describe('emailsToLookUp', () => {
  it.each<[string, ProjectOwner[], string[]]>([
    ['no owners', [], []],
    ['one owner', [{ tenant: 'hooli', email: 'devops@hooli.xyz' }], ['devops@hooli.xyz']],
    ['labelled owners are not looked up', [{ tenant: 'hooli', email: 'devops@hooli.xyz', label: 'p1' }], []],
    ['a blank label counts as none', [{ tenant: 'hooli', email: 'devops@hooli.xyz', label: '  ' }], ['devops@hooli.xyz']],
    ['normalized, once each, sorted', [
      { tenant: 'b', email: 'Zed@x.test' },
      { tenant: 'a', email: 'amy@x.test' },
      { tenant: 'c', email: 'zed@X.test' },
    ], ['amy@x.test', 'zed@x.test']],
    ['empty emails are skipped', [{ tenant: 'a', email: ' ' }], []],
  ])('%s', (_name, owners, expected) => {
    expect(emailsToLookUp(owners)).toEqual(expected);
  });
});

describe('attributeProjects', () => {
  it.each<[string, ProjectOwner[], PersonalProjectLookup, Record<string, Attribution>]>([
    ['the personal project of the owner email',
      [{ tenant: 'hooli', email: 'devops@hooli.xyz' }], rows(['devops@hooli.xyz', 'pH']),
      { hooli: byEmail('pH') }],
    ['emails match whatever their case',
      [{ tenant: 'hooli', email: 'DevOps@Hooli.xyz' }], rows(['devops@hooli.xyz', 'pH']),
      { hooli: byEmail('pH') }],
    ['the label overrides the email',
      [{ tenant: 'hooli', email: 'devops@hooli.xyz', label: 'pLabel' }], rows(['devops@hooli.xyz', 'pH']),
      { hooli: byLabel('pLabel') }],
    ['the label needs no lookup, even a failed one',
      [{ tenant: 'hooli', email: 'devops@hooli.xyz', label: 'pLabel' }], { kind: 'failed', message: 'boom' },
      { hooli: byLabel('pLabel') }],
    ['several tenants at once',
      [{ tenant: 'hooli', email: 'devops@hooli.xyz' }, { tenant: 'initech', email: 'it@initech.test' }, { tenant: 'soylent', email: 'ops@soylent.test', label: 'pS' }],
      rows(['it@initech.test', 'pI'], ['devops@hooli.xyz', 'pH']),
      { hooli: byEmail('pH'), initech: byEmail('pI'), soylent: byLabel('pS') }],
  ])('%s', (_name, owners, lookup, expected) => {
    expect(Object.fromEntries(attributeProjects(owners, lookup))).toEqual(expected);
  });

  it.each<[string, ProjectOwner[], PersonalProjectLookup, Record<string, [string, RegExp]>]>([
    ['no user with that email',
      [{ tenant: 'hooli', email: 'devops@hooli.xyz' }], rows(),
      { hooli: ['telemetry.no-project', /no n8n user with email devops@hooli\.xyz owns a personal project.*rp9\.io\/n8n-project/] }],
    ['no owner email at all',
      [{ tenant: 'hooli', email: '' }], rows(),
      { hooli: ['telemetry.no-project', /has no owner email/] }],
    ['an email with two personal projects (users differing only in case)',
      [{ tenant: 'hooli', email: 'devops@hooli.xyz' }], rows(['devops@hooli.xyz', 'p2'], ['DEVOPS@hooli.xyz', 'p1']),
      { hooli: ['telemetry.no-project', /matches 2 personal projects on the shared instance \(p1, p2\)/] }],
    ['the lookup failed',
      [{ tenant: 'hooli', email: 'devops@hooli.xyz' }], { kind: 'failed', message: 'connect ECONNREFUSED' },
      { hooli: ['telemetry.project-lookup-failed', /looking up personal projects on the shared instance failed: connect ECONNREFUSED/] }],
    ['two tenants with the same owner email',
      [{ tenant: 'hooli', email: 'ops@corp.test' }, { tenant: 'initech', email: 'OPS@corp.test' }], rows(['ops@corp.test', 'pC']),
      { hooli: ['telemetry.project-conflict', /project pC is claimed by tenants hooli, initech/], initech: ['telemetry.project-conflict', /project pC is claimed by tenants hooli, initech/] }],
    ["a label naming another tenant's project",
      [{ tenant: 'hooli', email: 'devops@hooli.xyz' }, { tenant: 'initech', email: 'it@initech.test', label: 'pH' }], rows(['devops@hooli.xyz', 'pH'], ['it@initech.test', 'pI']),
      { hooli: ['telemetry.project-conflict', /claimed by tenants hooli, initech/], initech: ['telemetry.project-conflict', /claimed by tenants hooli, initech/] }],
  ])('leaves a tenant unattributed, with the reason: %s', (_name, owners, lookup, expected) => {
    const result = attributeProjects(owners, lookup);

    expect([...result.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [tenant, [code, message]] of Object.entries(expected)) {
      const attribution = result.get(tenant);
      expect(attribution).toMatchObject({ kind: 'unattributed', code });
      expect(attribution?.kind === 'unattributed' ? attribution.message : '').toMatch(message);
    }
  });

  it('attributes the others when one pair conflicts', () => {
    const owners: ProjectOwner[] = [{ tenant: 'a', email: 'same@x.test' }, { tenant: 'b', email: 'same@x.test' }, { tenant: 'c', email: 'c@x.test' }];

    const result = attributeProjects(owners, rows(['same@x.test', 'pS'], ['c@x.test', 'pC']));

    expect(result.get('c')).toEqual(byEmail('pC'));
    expect(result.get('a')).toMatchObject({ kind: 'unattributed', code: 'telemetry.project-conflict' });
  });
});

describe('projectIdOf', () => {
  const attributions = new Map<string, Attribution>([
    ['hooli', byEmail('pH')],
    ['initech', { kind: 'unattributed', code: 'telemetry.no-project', message: 'shared tenant initech: no n8n user' }],
  ]);

  it('gives the project id of an attributed tenant', () => {
    expect(projectIdOf(attributions, 'hooli')).toBe('pH');
  });

  it('gives nothing for a tenant it was not asked about', () => {
    expect(projectIdOf(attributions, 'acme')).toBeUndefined();
  });

  it('throws the reason, with its code, for an unattributed tenant', () => {
    expect(() => projectIdOf(attributions, 'initech')).toThrow(TelemetryError);
    expect(() => projectIdOf(attributions, 'initech')).toThrow(expect.objectContaining({ code: 'telemetry.no-project', message: 'shared tenant initech: no n8n user' }));
  });
});
