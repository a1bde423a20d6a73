import { describe, expect, it } from 'vitest';
import { scheduledBackupGate, type BackupGateInput } from './schedule-gate.js';

const ready = { exportable: true, membersManaged: true };

describe('scheduledBackupGate', () => {
  const cases: [string, BackupGateInput, string][] = [
    ['dedicated, applied', { mode: 'dedicated', appliedCommit: 'c1', shared: ready }, 'start'],
    ['dedicated, never applied', { mode: 'dedicated', appliedCommit: null, shared: ready }, 'backup.waiting-for-apply'],
    ['dedicated, shared settings missing (not its concern)', { mode: 'dedicated', appliedCommit: 'c1', shared: { exportable: false, membersManaged: false } }, 'start'],
    ['shared, export not configured (embedded defaults)', { mode: 'shared', shared: { exportable: false, membersManaged: false } }, 'backup.not-configured'],
    ['shared, export not configured though members are managed', { mode: 'shared', shared: { exportable: false, membersManaged: true } }, 'backup.not-configured'],
    ['shared, members managed, user not created yet', { mode: 'shared', shared: ready }, 'backup.waiting-for-member'],
    ['shared, members managed, user disabled', { mode: 'shared', shared: ready, member: { disabled: true } }, 'backup.waiting-for-member'],
    ['shared, members managed, user exists', { mode: 'shared', shared: ready, member: { disabled: false } }, 'start'],
    ['shared, members not managed (a user made by hand is looked up by email)', { mode: 'shared', shared: { exportable: true, membersManaged: false } }, 'start'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    const gate = scheduledBackupGate(input);
    expect(gate.start ? 'start' : gate.code).toBe(expected);
    if (!gate.start) expect(gate.reason.length).toBeGreaterThan(20);
  });
});
