/**
 * Time zones as people say them ("New York (GMT-5)", "UTC"; never "Etc/UTC" or underscores)
 * and the zone picker's search (city, country-ish name, offset; recent zones first). Pure:
 * the zone maths is Intl's, the list of zones and their validity is the engine's.
 */

/** The names the tz database has for plain UTC; all of them read "UTC". */
const UTC_IDS = new Set([
  'UTC',
  'UCT',
  'GMT',
  'GMT0',
  'GMT+0',
  'GMT-0',
  'Greenwich',
  'Universal',
  'Zulu',
  'Etc/UTC',
  'Etc/UCT',
  'Etc/GMT',
  'Etc/GMT0',
  'Etc/GMT+0',
  'Etc/GMT-0',
  'Etc/Greenwich',
  'Etc/Universal',
  'Etc/Zulu',
]);

/** Old spellings the tz database keeps as aliases; listed after the names in use today. */
const OLD_NAMES = new Set([
  'Asia/Calcutta',
  'Asia/Saigon',
  'Asia/Katmandu',
  'Asia/Rangoon',
  'Asia/Dacca',
  'Asia/Thimbu',
  'Asia/Ulan_Bator',
  'Asia/Macao',
  'Asia/Chungking',
  'Asia/Ashkhabad',
  'Asia/Tel_Aviv',
  'Europe/Kiev',
  'Europe/Belfast',
  'Europe/Tiraspol',
  'Atlantic/Faeroe',
  'Pacific/Ponape',
  'Pacific/Truk',
  'Pacific/Yap',
  'Pacific/Samoa',
  'Pacific/Enderbury',
  'Pacific/Johnston',
  'America/Buenos_Aires',
  'America/Catamarca',
  'America/Cordoba',
  'America/Jujuy',
  'America/Mendoza',
  'America/Indianapolis',
  'America/Louisville',
  'America/Knox_IN',
  'America/Fort_Wayne',
  'America/Godthab',
  'America/Montreal',
  'America/Shiprock',
  'America/Ensenada',
  'America/Santa_Isabel',
  'America/Porto_Acre',
  'America/Virgin',
  'America/Atka',
  'America/Rosario',
  'Australia/ACT',
  'Australia/Canberra',
  'Australia/NSW',
  'Australia/North',
  'Australia/Queensland',
  'Australia/South',
  'Australia/Tasmania',
  'Australia/Victoria',
  'Australia/West',
  'Australia/Yancowinna',
  'Australia/LHI',
  'Antarctica/South_Pole',
  'Africa/Asmera',
  'Africa/Timbuktu',
]);

/** Regions whose sub-zones are not cities ("US/Eastern" reads "Eastern (US)"). */
const COUNTRY_PREFIXES = new Set(['US', 'Canada', 'Mexico', 'Brazil', 'Chile']);

export function isUtc(zone: string): boolean {
  return UTC_IDS.has(zone);
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(zone: string, style: string): Intl.DateTimeFormat | null {
  const key = `${zone}|${style}`;
  let f = fmtCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en', {
        timeZone: zone,
        timeZoneName: style as Intl.DateTimeFormatOptions['timeZoneName'],
      });
    } catch {
      return null;
    }
    fmtCache.set(key, f);
  }
  return f;
}

function zonePart(zone: string, style: string, at: Date): string {
  const f = fmt(zone, style);
  if (!f) return '';
  return f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** Minutes east of UTC of `zone` at `at` (Berlin in winter → 60, New York → -300). */
export function offsetMinutes(zone: string, at: Date = new Date()): number {
  const f = wallFmt(zone);
  if (!f) return 0;
  const parts = f.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

function wallFmt(zone: string): Intl.DateTimeFormat | null {
  const key = `${zone}|wall`;
  let f = fmtCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return null;
    }
    fmtCache.set(key, f);
  }
  return f;
}

/** "GMT-5", "GMT+5:30", "GMT" (UTC itself). */
export function offsetLabel(zone: string, at: Date = new Date()): string {
  const m = offsetMinutes(zone, at);
  if (m === 0) return 'GMT';
  const sign = m < 0 ? '-' : '+';
  const abs = Math.abs(m);
  const h = Math.floor(abs / 60);
  const min = abs % 60;
  return `GMT${sign}${h}${min ? `:${String(min).padStart(2, '0')}` : ''}`;
}

/** The place a zone is named after: "New York", "Buenos Aires", "Eastern (US)", "UTC". */
export function zoneName(zone: string, at: Date = new Date()): string {
  if (!zone) return '';
  if (isUtc(zone)) return 'UTC';
  // Etc/GMT+5 is five hours *behind* UTC (POSIX signs): say the offset it really has.
  if (zone.startsWith('Etc/')) return `${offsetLabel(zone, at)} (fixed)`;
  const parts = zone.split('/');
  const last = parts[parts.length - 1].replaceAll('_', ' ');
  if (parts.length > 1 && COUNTRY_PREFIXES.has(parts[0])) return `${last} (${parts[0]})`;
  return last;
}

/** How a zone is shown everywhere: "New York (GMT-5)"; UTC is just "UTC". */
export function zoneLabel(zone: string, at: Date = new Date()): string {
  if (!zone) return '';
  if (isUtc(zone)) return 'UTC';
  if (zone.startsWith('Etc/')) return zoneName(zone, at);
  return `${zoneName(zone, at)} (${offsetLabel(zone, at)})`;
}

/**
 * A typed offset ("+5:30", "gmt-5", "UTC+05:30", "-0300") as minutes east of UTC, or null
 * when the text is not an offset.
 */
export function parseOffsetQuery(query: string): number | null {
  const m = /^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(query.trim());
  if (!m) return null;
  const h = Number(m[2]);
  const min = m[3] ? Number(m[3]) : 0;
  if (h > 14 || min >= 60) return null;
  return (m[1] === '+' ? 1 : -1) * (h * 60 + min);
}

/** `country`: the country-ish generic name ("india time", "germany time"), lower case. */
type Entry = { zone: string; name: string; country: string; words: string; legacy: boolean };
const indexCache = new Map<string, Entry>();

function entry(zone: string, at: Date): Entry {
  let e = indexCache.get(zone);
  if (!e) {
    const name = zoneName(zone, at).toLowerCase();
    const country = zonePart(zone, 'shortGeneric', at).toLowerCase();
    const words = [
      name,
      zone.replaceAll('_', ' ').replaceAll('/', ' '),
      isUtc(zone) ? 'utc gmt coordinated universal time' : '',
      // "Germany Time", "India Standard Time", "Eastern Time": the country-ish names.
      zonePart(zone, 'shortGeneric', at),
      zonePart(zone, 'longGeneric', at),
      zonePart(zone, 'long', at),
    ]
      .join(' ')
      .toLowerCase();
    // Old aliases (US/Eastern, EST5EDT, Etc/GMT+5) only when nothing better matches.
    const legacy =
      !isUtc(zone) &&
      (!zone.includes('/') ||
        zone.startsWith('Etc/') ||
        OLD_NAMES.has(zone) ||
        COUNTRY_PREFIXES.has(zone.split('/')[0]));
    e = { zone, name, country, words, legacy };
    indexCache.set(zone, e);
  }
  return e;
}

/** The zones the picker offers before anything is typed (besides recent ones and yours). */
export const POPULAR_ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Paris',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
  'UTC',
];

/**
 * The zones to show for `query`, best first, at most `limit`: recent zones first among equal
 * matches, then your computer's zone. An empty query gives the recent zones, yours and a few
 * popular ones; never the whole list.
 */
export function searchZones(
  zones: readonly string[],
  query: string,
  opts: { recent?: readonly string[]; yours?: string | null; at?: Date; limit?: number } = {},
): string[] {
  const at = opts.at ?? new Date();
  const limit = opts.limit ?? 30;
  const recent = (opts.recent ?? []).filter((z) => zones.includes(z));
  const yours = opts.yours && zones.includes(opts.yours) ? opts.yours : null;
  const q = query.trim().toLowerCase().replaceAll('_', ' ');
  if (!q) {
    const first = [...recent, ...(yours ? [yours] : []), ...POPULAR_ZONES];
    return [...new Set(first.filter((z) => zones.includes(z)))].slice(0, limit);
  }
  const boost = (z: string) => {
    const i = recent.indexOf(z);
    // Any match among the recent zones comes before every other match.
    if (i >= 0) return -100 + i;
    return z === yours ? 0.09 : 0.1;
  };
  const scored: [number, string, string][] = [];
  const offset = parseOffsetQuery(q);
  if (offset !== null || q === 'utc' || q === 'gmt') {
    const want = offset ?? 0;
    for (const z of zones) {
      if (offsetMinutes(z, at) !== want) continue;
      const e = entry(z, at);
      scored.push([(isUtc(z) ? 0 : 1) + (e.legacy ? 5 : 0) + boost(z), e.name, z]);
    }
  } else {
    const terms = q.split(/\s+/);
    for (const z of zones) {
      const e = entry(z, at);
      if (!terms.every((t) => e.words.includes(t))) continue;
      let score: number;
      if (e.name === q) score = 0;
      // "india" is India's zone before Indianapolis; "germany" is Berlin.
      else if (e.country === `${q} time`) score = 0.5;
      else if (e.name.startsWith(q)) score = 1;
      else if (e.country.startsWith(q)) score = 1.5;
      else if (e.name.includes(q)) score = 2;
      else if (new RegExp(`\\b${escapeRe(terms[0])}`).test(e.words)) score = 3;
      else score = 4;
      scored.push([score + (e.legacy ? 5 : 0) + boost(z), e.name, z]);
    }
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  // One row per name and offset: UTC's many aliases are one "UTC".
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [, , z] of scored) {
    const key = zoneLabel(z, at);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(z);
    if (out.length >= limit) break;
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
