import { describe, expect, it } from 'vitest';
import {
  bothZones,
  clockIn,
  compactNumber,
  countdown,
  dayTimeIn,
  initials,
  localClock,
  localText,
  ownTime,
  postTime,
  relativeTime,
  timeRuleText,
  tokenExpiryText,
} from './format';

const NOW = Date.parse('2025-11-23T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const MIN = 60_000;
const DAY = 86_400_000;

describe('compactNumber', () => {
  it.each([
    [null, '—'],
    [0, '0'],
    [950, '950'],
    [1_000, '1K'],
    [12_345, '12.3K'],
    [99_999, '99.9K'],
    [123_456, '123K'],
    [999_999, '999K'],
    [1_200_000, '1.2M'],
    [3_000_000_000, '3B'],
  ])('%s → %s', (n, want) => {
    expect(compactNumber(n)).toBe(want);
  });
});

describe('relativeTime', () => {
  it.each([
    [null, 'never'],
    [at(-10_000), 'just now'],
    [at(-5 * MIN), '5 minutes ago'],
    [at(-1 * 60 * MIN), '1 hour ago'],
    [at(-3 * DAY), '3 days ago'],
    [at(2 * DAY), 'in 2 days'],
  ])('%s → %s', (iso, want) => {
    expect(relativeTime(iso, NOW)).toBe(want);
  });
});

describe('tokenExpiryText', () => {
  it('counts whole days, rounding up', () => {
    expect(tokenExpiryText(at(5 * DAY - MIN), NOW)).toBe('Refresh token expires in 5 days');
    expect(tokenExpiryText(at(3 * 60 * MIN), NOW)).toBe('Refresh token expires within a day');
    expect(tokenExpiryText(at(-MIN), NOW)).toBe('Sign-in has expired');
    expect(tokenExpiryText(null, NOW)).toBe('Refresh token expires soon');
  });
});

describe('countdown and initials', () => {
  it('formats minutes:seconds and never goes negative', () => {
    expect(countdown(at(10 * MIN), NOW)).toBe('10:00');
    expect(countdown(at(61_000), NOW)).toBe('1:01');
    expect(countdown(at(-5_000), NOW)).toBe('0:00');
  });

  it('takes first and last initials', () => {
    expect(initials('Ana Maria Lopez')).toBe('AL');
    expect(initials('@ana_lopez')).toBe('AL');
    expect(initials('bo')).toBe('B');
    expect(initials('')).toBe('?');
  });
});

describe('the one rule for showing a post time', () => {
  const iso = '2026-12-02T14:00:00Z';
  const now = Date.parse('2026-11-30T00:00:00Z');

  it('shows your time, and the post zone only when its clock differs', () => {
    expect(postTime(iso, 'America/New_York', 'Europe/Paris', 'en-GB', now)).toEqual({
      yours: 'Wed 2 Dec, 15:00',
      own: '09:00 New York',
    });
    expect(postTime(iso, 'Etc/UTC', 'UTC', 'en-GB', now)).toEqual({
      yours: 'Wed 2 Dec, 14:00',
      own: null,
    });
    // Same offset, other city: one clock, one time.
    expect(postTime(iso, 'Europe/Berlin', 'Europe/Paris', 'en-GB', now).own).toBeNull();
    // Another day there: say the day too.
    expect(postTime('2026-12-02T02:00:00Z', 'America/New_York', 'UTC', 'en-GB', now).own).toBe(
      'Tue 1 Dec, 21:00 New York',
    );
  });

  it('writes hours as the locale does, without "09:00 AM"', () => {
    expect(clockIn(iso, 'UTC', 'en-GB')).toBe('14:00');
    expect(clockIn('2026-12-02T09:00:00Z', 'UTC', 'en-US')).toBe('9:00 AM');
  });

  it('adds the own time to a view already in your time, only when the clocks differ', () => {
    expect(ownTime(iso, 'America/New_York', '2026-12-02T14:00', 'en-GB')).toBe('09:00 New York');
    expect(ownTime(iso, 'Etc/UTC', '2026-12-02T14:00', 'en-GB')).toBeNull();
    expect(localText('2026-12-02T14:00', 'en-GB', now)).toBe('Wed 2 Dec, 14:00');
    expect(localClock('2026-12-02T14:00', 'en-GB')).toBe('14:00');
  });

  it('says both zones in one line', () => {
    expect(bothZones(iso, 'America/New_York', 'Europe/Paris', 'en-GB', now)).toBe(
      '09:00 New York = 15:00 your time',
    );
    expect(bothZones(iso, 'UTC', 'Etc/UTC', 'en-GB', now)).toBeNull();
  });

  it('shows the year only when it is not this year, and states the rule', () => {
    expect(dayTimeIn('2027-01-05T10:00:00Z', 'UTC', 'en-GB', now)).toBe('Tue, 5 Jan 2027, 10:00');
    expect(timeRuleText('Etc/UTC')).toBe(
      "Times are your computer's time (UTC). A post set in another time zone also shows its own time.",
    );
  });
});
