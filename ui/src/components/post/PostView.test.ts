import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../../App.svelte';
import { toasts } from '../../lib/toasts.svelte';
import { makeAccount, makeJob, makePost, mockBackend } from '../../test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

function published(over: Parameters<typeof makeJob>[0] = {}) {
  return mockBackend({
    accounts: [makeAccount({ id: 1, username: 'maya.makes' })],
    posts: [
      makePost({
        id: 5,
        accountId: 1,
        status: 'published',
        caption: 'Morning light #tokdeck',
        privacyLevel: 'PUBLIC_TO_EVERYONE',
      }),
    ],
    jobs: {
      5: makeJob({
        postId: 5,
        accountId: 1,
        state: 'published',
        tiktokStatus: 'PublishComplete',
        publicPostIds: '["7305512345678901234"]',
        ...over,
      }),
    },
    history: {
      5: [
        { at: Date.UTC(2026, 0, 5, 10, 0), state: 'queued', logId: null, error: null },
        { at: Date.UTC(2026, 0, 5, 10, 1), state: 'published', logId: null, error: null },
      ],
    },
  });
}

describe('a published post', () => {
  it('opens read-only with its TikTok link and history, and “Duplicate as new” opens an editable copy', async () => {
    const backend = published();
    window.location.hash = '#/compose/5';
    render(App);
    const view = await screen.findByTestId('post-view');
    expect(screen.queryByTestId('composer')).toBeNull();
    expect(view.querySelectorAll('input, textarea, select')).toHaveLength(0);
    expect(within(view).getByTestId('post-view-caption')).toHaveTextContent(
      'Morning light #tokdeck',
    );
    expect(within(view).getByTestId('post-view-account')).toHaveTextContent('@maya.makes');
    const link = await within(view).findByTestId('post-view-on-tiktok');
    expect(link).toHaveTextContent('View on TikTok');
    expect(link).toHaveAttribute(
      'href',
      'https://www.tiktok.com/@maya.makes/video/7305512345678901234',
    );
    await waitFor(() => expect(within(view).getAllByTestId('queue-history-row')).toHaveLength(2));

    const user = userEvent.setup();
    await user.click(link);
    await waitFor(() =>
      expect(backend.calls('open_on_tiktok')).toEqual([
        { postId: 5, publicId: '7305512345678901234' },
      ]),
    );

    await user.click(within(view).getByTestId('post-duplicate'));
    await waitFor(() =>
      expect(backend.calls('duplicate_post')).toEqual([{ postId: 5, accountIds: [1] }]),
    );
    const composer = await screen.findByTestId('composer');
    expect(screen.queryByTestId('post-view')).toBeNull();
    expect(within(composer).getByTestId('compose-caption')).toHaveValue('Morning light #tokdeck');
    expect(window.location.hash).not.toBe('#/compose/5');
  });

  it('says plainly when TikTok gave no id, instead of a dead link', async () => {
    published({ publicPostIds: '[]' });
    window.location.hash = '#/compose/5';
    render(App);
    const view = await screen.findByTestId('post-view');
    await waitFor(() =>
      expect(within(view).getByTestId('post-tiktok-note')).toHaveTextContent(
        'TikTok gave no public post id',
      ),
    );
    expect(within(view).queryByTestId('post-view-on-tiktok')).toBeNull();
  });
});
