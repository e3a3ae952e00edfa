import { describe, expect, it } from 'vitest';
import type { OnTiktok } from '../../lib/bindings';
import { isReadOnly, noLinkNote, unlinkedNote } from './readOnly';

const view = (over: Partial<OnTiktok> = {}): OnTiktok => ({
  postId: 1,
  publishedAt: 1,
  inInbox: false,
  links: [],
  idPending: false,
  onlyMe: false,
  ...over,
});

describe('a post’s read-only view', () => {
  it('opens read-only exactly while TikTok has or is being sent the post', () => {
    for (const status of ['queued', 'publishing', 'published'] as const)
      expect(isReadOnly({ status })).toBe(true);
    for (const status of [
      'draft',
      'scheduled',
      'needs_attention',
      'cancelled',
      'failed',
      'missed',
    ] as const)
      expect(isReadOnly({ status })).toBe(false);
  });

  it('says why there is no link, the audience note only for “Only me” posts', () => {
    const link = { publicId: '7', url: 'https://www.tiktok.com/@dana/video/7' };
    expect(noLinkNote('published', view({ links: [link] }))).toBeNull();
    expect(noLinkNote('published', view({ inInbox: true }))).toBe(
      'In the creator’s TikTok inbox: finish it in the TikTok app.',
    );
    expect(noLinkNote('published', view({ idPending: true }))).toContain('Tokdeck keeps asking');
    expect(noLinkNote('published', view({ onlyMe: true }))).toBe(
      'On TikTok as “Only me”: TikTok gives private posts no public link.',
    );
    const plain = noLinkNote('published', view());
    expect(plain).toBe('On TikTok, but TikTok gave no public post id, so there is no link to it.');
    expect(plain).not.toContain('Only me');
    expect(
      noLinkNote('published', view(), {
        errorCode: 'audience_unconfirmed',
        errorMessage: 'Maybe Only me.',
      }),
    ).toBe('Maybe Only me.');
    expect(noLinkNote('publishing', null)).toContain('once it is published');
  });

  it('names the id it cannot link and the button that fixes it', () => {
    expect(unlinkedNote('7')).toContain('7');
    expect(unlinkedNote('7')).toContain('Sync the account on the Accounts page');
  });
});
