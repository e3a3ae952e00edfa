import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../../App.svelte';
import { toasts } from '../../lib/toasts.svelte';
import { makeAccount, makeItem, makeJob, makePost, mockBackend } from '../../test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

const row = (id: number) =>
  within(
    screen
      .getAllByTestId('queue-row')
      .find((r) => r.getAttribute('data-post-id') === String(id)) as HTMLElement,
  );

describe('a queue row says each thing once', () => {
  it('a published post shows “Published” once, its TikTok link, and the “Only me” note only on an Only me post', async () => {
    const published = (postId: number, ids = '[]') =>
      makeJob({ postId, state: 'published', tiktokStatus: 'PublishComplete', publicPostIds: ids });
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1, username: 'maya.makes' })],
      items: [41, 42, 43].map((id) => makeItem({ id, accountId: 1, status: 'published' })),
      posts: [
        makePost({ id: 41, accountId: 1, status: 'published', privacyLevel: 'PUBLIC_TO_EVERYONE' }),
        makePost({ id: 42, accountId: 1, status: 'published', privacyLevel: 'PUBLIC_TO_EVERYONE' }),
        makePost({ id: 43, accountId: 1, status: 'published', privacyLevel: 'SELF_ONLY' }),
      ],
      jobs: { 41: published(41, '["7305512345678901234"]'), 42: published(42), 43: published(43) },
    });
    window.location.hash = '#/queue';
    render(App);
    const link = await waitFor(() =>
      within(row(41).getByTestId('queue-published-detail')).getByText('View on TikTok'),
    );
    expect(link).toHaveAttribute(
      'href',
      'https://www.tiktok.com/@maya.makes/video/7305512345678901234',
    );
    expect(row(41).getAllByText('Published')).toHaveLength(1);
    expect(row(41).queryByTestId('queue-publish-state')).toBeNull();
    // TikTok has it: the row opens it to look at, not to edit.
    expect(row(41).getByTestId('queue-edit')).toHaveTextContent('Open');
    await userEvent.setup().click(link);
    await waitFor(() =>
      expect(backend.calls('open_on_tiktok')).toEqual([
        { postId: 41, publicId: '7305512345678901234' },
      ]),
    );

    await waitFor(() =>
      expect(row(42).getByTestId('queue-published-detail')).toHaveTextContent(
        'TikTok gave no public post id',
      ),
    );
    expect(row(42).getByTestId('queue-published-detail')).not.toHaveTextContent('Only me');
    await waitFor(() =>
      expect(row(43).getByTestId('queue-published-detail')).toHaveTextContent('“Only me”'),
    );
  });

  it('a post needing attention gives one reason, even when the post and its publish say it differently', async () => {
    mockBackend({
      accounts: [makeAccount({ id: 1 })],
      items: [makeItem({ id: 71, accountId: 1, status: 'needs_attention', needsAttention: true })],
      posts: [
        makePost({
          id: 71,
          accountId: 1,
          status: 'needs_attention',
          attentionReason: 'Reconnect @creator1 (Accounts → Reconnect), then retry.',
        }),
      ],
      jobs: {
        71: makeJob({
          postId: 71,
          state: 'needs_attention',
          errorCode: 'reconnect',
          errorMessage: 'TikTok refused the sign-in. Reconnect the account.',
        }),
      },
    });
    window.location.hash = '#/queue';
    render(App);
    await waitFor(() =>
      expect(row(71).getByTestId('queue-reason')).toHaveTextContent('Reconnect @creator1'),
    );
    expect(row(71).getAllByText('Needs attention')).toHaveLength(1);
    expect(row(71).queryByTestId('queue-publish-reason')).toBeNull();
    expect(row(71).queryByText(/TikTok refused the sign-in/)).toBeNull();
    expect(row(71).getByTestId('queue-retry')).toBeInTheDocument();
  });
});
