import { describe, expect, it } from 'vitest';
import { thumbnailSrc } from './thumbnails';

describe('thumbnailSrc', () => {
  const base = 'http://127.0.0.1:4791/thumb/abc/';
  it('points at the post id with the file name as a cache key', () => {
    expect(thumbnailSrc(base, { id: 7, thumbnailPath: '/data/thumbnails/f00d.jpg' })).toBe(
      'http://127.0.0.1:4791/thumb/abc/7?v=f00d.jpg',
    );
    expect(thumbnailSrc(base, { id: 7, thumbnailPath: 'C:\\data\\thumbnails\\a b.jpg' })).toBe(
      'http://127.0.0.1:4791/thumb/abc/7?v=a%20b.jpg',
    );
  });
  it('is null without a thumbnail or a server', () => {
    expect(thumbnailSrc(base, { id: 7, thumbnailPath: null })).toBeNull();
    expect(thumbnailSrc(null, { id: 7, thumbnailPath: '/t/x.jpg' })).toBeNull();
  });
});
