import { describe, expect, it } from 'vitest';
import { compactNumber, countdown, initials, relativeTime, tokenExpiryText } from './format';

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
