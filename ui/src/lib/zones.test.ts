import { describe, expect, it } from 'vitest';
import { offsetLabel, parseOffsetQuery, searchZones, zoneLabel, zoneName } from './zones';

const WINTER = new Date('2026-12-02T12:00:00Z');
const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'America/Argentina/Buenos_Aires',
  'America/Bogota',
  'America/Indiana/Indianapolis',
  'Indian/Maldives',
  'Asia/Calcutta',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Ho_Chi_Minh',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/London',
  'US/Eastern',
  'EST5EDT',
  'Etc/GMT+5',
  'Etc/UTC',
  'UTC',
  'Etc/GMT',
  'Asia/Tokyo',
  'Australia/Sydney',
];

describe('zones as people say them', () => {
  it.each([
    ['America/New_York', 'New York (GMT-5)'],
    ['America/Argentina/Buenos_Aires', 'Buenos Aires (GMT-3)'],
    ['Asia/Kolkata', 'Kolkata (GMT+5:30)'],
    ['Etc/UTC', 'UTC'],
    ['UTC', 'UTC'],
    ['Etc/GMT+5', 'GMT-5 (fixed)'],
    ['US/Eastern', 'Eastern (US) (GMT-5)'],
  ])('%s → %s', (zone, want) => {
    expect(zoneLabel(zone, WINTER)).toBe(want);
    expect(zoneLabel(zone, WINTER)).not.toMatch(/_|Etc\//);
  });

  it('follows daylight saving', () => {
    expect(offsetLabel('America/New_York', new Date('2026-07-01T12:00:00Z'))).toBe('GMT-4');
    expect(zoneName('Asia/Ho_Chi_Minh')).toBe('Ho Chi Minh');
  });

  it('reads offsets as typed', () => {
    expect(parseOffsetQuery('+5:30')).toBe(330);
    expect(parseOffsetQuery('GMT-5')).toBe(-300);
    expect(parseOffsetQuery('utc+05:30')).toBe(330);
    expect(parseOffsetQuery('-0300')).toBe(-180);
    expect(parseOffsetQuery('berlin')).toBeNull();
  });
});

describe('searchZones', () => {
  const search = (q: string, recent: string[] = []) =>
    searchZones(ZONES, q, { recent, yours: 'Europe/London', at: WINTER });

  it('finds a city by any part of its name', () => {
    expect(search('new y')[0]).toBe('America/New_York');
    expect(search('buenos')[0]).toBe('America/Argentina/Buenos_Aires');
    expect(search('ho chi')[0]).toBe('Asia/Ho_Chi_Minh');
  });

  it('finds a zone by a country-ish name', () => {
    expect(search('india')[0]).toBe('Asia/Kolkata');
    expect(search('germany')).toEqual(['Europe/Berlin']);
    expect(search('eastern').slice(0, 2)).toContain('America/New_York');
  });

  it('finds zones by offset, real cities before old aliases', () => {
    expect(search('+5:30')).toEqual(['Asia/Kolkata', 'Asia/Calcutta']);
    expect(search('+5:45')).toEqual(['Asia/Kathmandu']);
    const minus5 = search('GMT-5');
    expect(minus5[0]).toMatch(/New_York|Bogota/);
    expect(minus5).toContain('Etc/GMT+5');
    expect(minus5.indexOf('Etc/GMT+5')).toBeGreaterThan(minus5.indexOf('America/Bogota'));
    expect(search('utc')[0]).toMatch(/UTC/);
  });

  it('puts recent zones first and shows UTC once', () => {
    expect(search('', ['Asia/Tokyo']).slice(0, 2)).toEqual(['Asia/Tokyo', 'Europe/London']);
    expect(search('a', ['Australia/Sydney'])[0]).toBe('Australia/Sydney');
    expect(search('utc').filter((z) => zoneLabel(z, WINTER) === 'UTC')).toHaveLength(1);
  });

  it('never lists every zone at once', () => {
    expect(searchZones(ZONES, '', { at: WINTER }).length).toBeLessThan(10);
    expect(searchZones(ZONES, 'e', { at: WINTER, limit: 5 })).toHaveLength(5);
  });
});
