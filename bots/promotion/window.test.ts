import { describe, expect, it } from 'vitest';
import { BotError } from '../core/errors.js';
import { formatWindow, nextMaintenanceWindow } from './window.js';

// 2026-03-10 is a Tuesday (2); 2026-03-14 a Saturday (6); 2026-03-15 a Sunday (0).
describe('nextMaintenanceWindow', () => {
  it.each<[string, number[], number, string, string]>([
    ['weekend windows from a Tuesday: Saturday', [0, 6], 22, '2026-03-10T12:00:00Z', '2026-03-14T22:00:00Z'],
    ['every day, well before the hour: today', [0, 1, 2, 3, 4, 5, 6], 22, '2026-03-10T12:00:00Z', '2026-03-10T22:00:00Z'],
    ['every day, 1 h 1 s before: today', [0, 1, 2, 3, 4, 5, 6], 22, '2026-03-10T20:59:59Z', '2026-03-10T22:00:00Z'],
    ['every day, exactly 1 h before: not strictly after now + 1 h, so tomorrow', [0, 1, 2, 3, 4, 5, 6], 22, '2026-03-10T21:00:00Z', '2026-03-11T22:00:00Z'],
    ['every day, during the window: tomorrow', [0, 1, 2, 3, 4, 5, 6], 22, '2026-03-10T22:30:00Z', '2026-03-11T22:00:00Z'],
    ['Saturday 21:30 with weekend windows: rolls over to Sunday', [0, 6], 22, '2026-03-14T21:30:00Z', '2026-03-15T22:00:00Z'],
    ['Sunday 21:30 with weekend windows: rolls over the week to Saturday', [0, 6], 22, '2026-03-15T21:30:00Z', '2026-03-21T22:00:00Z'],
    ['only Tuesday, on Tuesday after the hour: a week later', [2], 3, '2026-03-10T02:30:00Z', '2026-03-17T03:00:00Z'],
    ['an hour of 0 is the start of the next day', [3], 0, '2026-03-10T12:00:00Z', '2026-03-11T00:00:00Z'],
    ['month and year rollover', [4], 22, '2026-12-31T23:00:00Z', '2027-01-07T22:00:00Z'],
    ['across the EU daylight-saving change: still 22:00 UTC', [0], 22, '2026-03-28T12:00:00Z', '2026-03-29T22:00:00Z'],
    ['across the US daylight-saving change: still 22:00 UTC', [0], 22, '2026-11-01T00:30:00Z', '2026-11-01T22:00:00Z'],
  ])('%s', (_name, weekdays, hourUtc, now, expected) => {
    // Act
    const window = nextMaintenanceWindow({ weekdays, hourUtc }, new Date(now));

    // Assert
    expect(formatWindow(window)).toBe(expected);
  });

  it('refuses an empty weekday list with the setting named', () => {
    // Act
    const act = () => nextMaintenanceWindow({ weekdays: [], hourUtc: 22 }, new Date('2026-03-10T12:00:00Z'));

    // Assert
    expect(act).toThrow(BotError);
    expect(act).toThrow(/spec\.policies\.promotion\.maintenanceWindow\.weekdays is empty/);
  });
});
