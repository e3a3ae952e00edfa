import { describe, expect, it } from 'vitest';
import { clipAdvice } from './clipAdvice';

describe('clipAdvice', () => {
  it('warns about very short and landscape clips, never about a normal vertical one', () => {
    expect(clipAdvice({ durationMs: 15_000, width: 1080, height: 1920 })).toEqual([]);
    const both = clipAdvice({ durationMs: 1_000, width: 1920, height: 1080 });
    expect(both.map((a) => a.kind)).toEqual(['short', 'landscape']);
    expect(both[0].message).toContain('only 1 s long');
    expect(both[0].message).toContain('TikTok accepts it');
    expect(both[1].message).toContain('1920×1080');
    expect(clipAdvice({ durationMs: 3_000, width: 720, height: 720 })).toEqual([]);
    expect(clipAdvice(null)).toEqual([]);
  });
});
