import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, makeItem, makeJob, makePost, mockBackend } from '../test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

function setup() {
  const backend = mockBackend({
    accounts: [makeAccount({ id: 1 }), makeAccount({ id: 2 })],
    items: [
      makeItem({ id: 11, accountId: 1, accountTitle: 'Alpha', caption: 'Dance challenge' }),
      makeItem({
        id: 12,
        accountId: 1,
        accountTitle: 'Alpha',
        caption: 'Cooking show',
        status: 'needs_attention',
        needsAttention: true,
      }),
      makeItem({ id: 21, accountId: 2, accountTitle: 'Beta', caption: 'Paused one', paused: true }),
    ],
    posts: [
      makePost({
        id: 12,
        accountId: 1,
        mediaPath: '/old/cook.mp4',
        status: 'needs_attention',
        attentionReason: 'The video file is no longer at /old/cook.mp4. Relink it.',
      }),
      makePost({ id: 21, accountId: 2, pausedReason: 'Beta needs to be reconnected.' }),
    ],
  });
  window.location.hash = '#/queue';
  render(App);
  return { backend, user: userEvent.setup() };
}

const row = (id: number) =>
  within(document.querySelector<HTMLElement>(`[data-testid="queue-row"][data-post-id="${id}"]`)!);

describe('QueuePage', () => {
  it('lists upcoming posts per account with status badges and reasons', async () => {
    setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    expect(screen.getByRole('region', { name: 'Alpha' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Beta' })).toBeInTheDocument();
    expect(row(11).getByTestId('queue-status')).toHaveTextContent('Scheduled');
    expect(row(12).getByTestId('queue-status')).toHaveTextContent('Needs attention');
    expect(await row(12).findByText(/no longer at \/old\/cook\.mp4/)).toBeInTheDocument();
    expect(row(12).getByTestId('queue-relink')).toHaveTextContent('Relink file…');
    expect(row(21).getByTestId('queue-status')).toHaveTextContent('Paused');
    expect(await row(21).findByText('Beta needs to be reconnected.')).toBeInTheDocument();
    expect(row(11).queryByTestId('queue-relink')).toBeNull();
  });

  it('publishes a scheduled or missed post now, and offers it for nothing else', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 })],
      items: [
        makeItem({ id: 31, accountId: 1, caption: 'Soon' }),
        makeItem({ id: 32, accountId: 1, caption: 'Slept through', status: 'missed' }),
        makeItem({
          id: 33,
          accountId: 1,
          caption: 'Moved file',
          status: 'needs_attention',
          needsAttention: true,
        }),
      ],
    });
    window.location.hash = '#/queue';
    render(App);
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    expect(row(33).queryByTestId('queue-publish-now')).not.toBeInTheDocument();
    await user.click(row(32).getByTestId('queue-publish-now'));
    await waitFor(() =>
      expect(backend.calls('reschedule_post')).toEqual([{ postId: 32, when: { kind: 'now' } }]),
    );
    await user.click(row(31).getByTestId('queue-publish-now'));
    await waitFor(() => expect(backend.calls('reschedule_post')).toHaveLength(2));
    expect(backend.calls('reschedule_post')[1]).toEqual({ postId: 31, when: { kind: 'now' } });
  });

  it('lists finished posts in the Published and Needs attention / failed sections', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 })],
      items: [
        makeItem({ id: 51, accountId: 1, caption: 'Coming up' }),
        makeItem({ id: 52, accountId: 1, caption: 'Went out', status: 'published' }),
        makeItem({ id: 53, accountId: 1, caption: 'TikTok said no', status: 'failed' }),
        makeItem({ id: 54, accountId: 1, caption: 'Slept through', status: 'missed' }),
      ],
    });
    window.location.hash = '#/queue';
    render(App);
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(4));
    // The page asks for finished posts too.
    expect(backend.calls('queue')[0]).toEqual({
      query: { accountId: null, search: null, limit: 50, finishedLimit: 25 },
    });
    expect(screen.getByTestId('queue-filter-published')).toHaveTextContent('Published (1)');
    expect(screen.getByTestId('queue-filter-attention')).toHaveTextContent(
      'Needs attention / failed (2)',
    );
    expect(screen.getByTestId('queue-filter-upcoming')).toHaveTextContent('Upcoming (1)');

    const shown = () =>
      screen.getAllByTestId('queue-row').map((r) => Number(r.getAttribute('data-post-id')));
    await user.click(screen.getByTestId('queue-filter-published'));
    await waitFor(() => expect(shown()).toEqual([52]));
    expect(row(52).getByTestId('queue-status')).toHaveTextContent('Published');
    await user.click(screen.getByTestId('queue-filter-attention'));
    await waitFor(() => expect(shown()).toEqual([53, 54]));
    expect(row(53).getByTestId('queue-status')).toHaveTextContent('Failed');
    expect(row(54).getByTestId('queue-status')).toHaveTextContent('Missed');
    await user.click(screen.getByTestId('queue-filter-upcoming'));
    await waitFor(() => expect(shown()).toEqual([51]));
  });

  it('shows one page, and the next on Show more', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 })],
      items: Array.from({ length: 60 }, (_, i) =>
        makeItem({ id: 100 + i, accountId: 1, caption: `Post ${i}` }),
      ),
    });
    window.location.hash = '#/queue';
    render(App);
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(50));
    await user.click(screen.getByTestId('queue-show-more'));
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(60));
    expect(backend.calls('queue').at(-1)).toEqual({
      query: { accountId: null, search: null, limit: 100, finishedLimit: 50 },
    });
    expect(screen.queryByTestId('queue-show-more')).not.toBeInTheDocument();
  });

  it('search calls queue with the text', async () => {
    const { backend, user } = setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    await user.type(screen.getByTestId('queue-search'), 'dance');
    await waitFor(() =>
      expect(backend.calls('queue').at(-1)).toEqual({
        query: { accountId: null, search: 'dance', limit: 50, finishedLimit: 25 },
      }),
    );
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(1));
    expect(screen.getByTestId('queue-row')).toHaveAttribute('data-post-id', '11');
  });

  it('relinks a file, cancels, deletes, and edit opens the composer', async () => {
    const { backend, user } = setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    await user.click(row(12).getByTestId('queue-relink'));
    const path = row(12).getByTestId('queue-relink-path');
    await user.clear(path);
    await user.type(path, '/new/cook.mp4');
    await user.click(row(12).getByTestId('queue-relink-save'));
    await waitFor(() =>
      expect(backend.calls('relink_post_media')).toEqual([
        { postId: 12, newPath: '/new/cook.mp4', acceptChanged: false },
      ]),
    );

    await user.click(row(11).getByTestId('queue-cancel'));
    await waitFor(() => expect(backend.calls('cancel_post')).toEqual([{ postId: 11 }]));
    await user.click(row(21).getByTestId('queue-delete'));
    await waitFor(() => expect(backend.calls('delete_post')).toEqual([{ postId: 21 }]));
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(2));
    // Delete is not final: the toast offers Undo, which asks the engine to give it back.
    const undo = toasts.items.find((t) => t.action?.label === 'Undo');
    expect(undo?.message).toContain('Trash');
    // Cancelled and deleted posts stay findable.
    expect(screen.getByTestId('queue-trash-link')).toHaveAttribute('href', '#/trash');

    await user.click(row(12).getByTestId('queue-edit'));
    await waitFor(() => expect(window.location.hash).toBe('#/compose/12'));
    expect(await screen.findByTestId('composer')).toBeInTheDocument();
  });

  it('relinks through the native file picker; cancelling it changes nothing', async () => {
    const { backend, user } = setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    await user.click(row(12).getByTestId('queue-relink'));

    backend.setPickFile(null);
    await user.click(row(12).getByTestId('queue-relink-pick'));
    await waitFor(() => expect(backend.calls('pick_video_file')).toHaveLength(1));
    expect(backend.calls('relink_post_media')).toEqual([]);
    expect(row(12).getByTestId('queue-relink-path')).toBeInTheDocument();

    backend.handlers.relink_post_media = () => {
      throw { code: 'invalid_input', message: '/picked/other.mp4 is not the same video' };
    };
    backend.setPickFile('/picked/other.mp4');
    await user.click(row(12).getByTestId('queue-relink-pick'));
    expect(await row(12).findByTestId('queue-relink-error')).toHaveTextContent(
      'is not the same video',
    );
    // The picked path stays in the typed field, to accept the changed file and retry.
    expect(row(12).getByTestId('queue-relink-path')).toHaveValue('/picked/other.mp4');
    expect(backend.calls('relink_post_media')).toEqual([
      { postId: 12, newPath: '/picked/other.mp4', acceptChanged: false },
    ]);
  });

  it('shows a due post that waits for a publish slot as waiting, not missed', async () => {
    mockBackend({
      accounts: [1, 2, 3].map((id) => makeAccount({ id })),
      items: [
        makeItem({ id: 51, accountId: 1, accountTitle: 'Alpha', status: 'publishing' }),
        makeItem({ id: 52, accountId: 2, accountTitle: 'Beta', status: 'publishing' }),
        makeItem({ id: 53, accountId: 3, accountTitle: 'Gamma', caption: 'Due an hour ago' }),
        makeItem({ id: 54, accountId: 3, accountTitle: 'Gamma', local: '2999-01-01T09:00' }),
      ],
      posts: [51, 52, 53, 54].map((id) => makePost({ id })),
      jobs: {
        51: makeJob({ postId: 51, state: 'uploading', videoSize: 1000 }),
        52: makeJob({ postId: 52, state: 'processing', videoSize: 1000 }),
      },
    });
    window.location.hash = '#/queue';
    render(App);
    await waitFor(() => expect(row(53).getByTestId('queue-status')).toHaveTextContent('Waiting'));
    expect(row(53).getByTestId('queue-waiting')).toHaveTextContent(
      'Waiting — 2 posts are publishing',
    );
    expect(row(54).getByTestId('queue-status')).toHaveTextContent('Scheduled');
    expect(row(54).queryByTestId('queue-waiting')).toBeNull();
  });

  describe('publishing', () => {
    function setupPublish() {
      const backend = mockBackend({
        accounts: [makeAccount({ id: 1 })],
        items: [
          makeItem({ id: 31, accountId: 1, accountTitle: 'Alpha', status: 'publishing' }),
          makeItem({ id: 32, accountId: 1, accountTitle: 'Alpha', status: 'failed' }),
          makeItem({ id: 33, accountId: 1, accountTitle: 'Alpha', status: 'needs_attention' }),
          makeItem({ id: 34, accountId: 1, accountTitle: 'Alpha', status: 'failed' }),
          makeItem({ id: 35, accountId: 1, accountTitle: 'Alpha', status: 'queued' }),
        ],
        posts: [31, 32, 33, 34, 35].map((id) => makePost({ id, accountId: 1 })),
        jobs: {
          31: makeJob({ postId: 31, state: 'uploading', videoSize: 1000 }),
          32: makeJob({
            postId: 32,
            state: 'failed',
            retryable: true,
            errorMessage: 'TikTok was busy.',
          }),
          33: makeJob({
            postId: 33,
            state: 'needs_attention',
            outcomeUnknown: true,
            errorMessage: 'Outcome unknown — check TikTok.',
          }),
          34: makeJob({ postId: 34, state: 'failed', retryable: false, errorMessage: 'Banned.' }),
          35: makeJob({ postId: 35, state: 'queued' }),
        },
        history: {
          32: [
            { at: Date.UTC(2026, 0, 5, 10, 0), state: 'queued', logId: null, error: null },
            {
              at: Date.UTC(2026, 0, 5, 10, 1),
              state: 'failed',
              logId: 'log-abc',
              error: 'TikTok was busy.',
            },
          ],
        },
      });
      window.location.hash = '#/queue';
      render(App);
      return { backend, user: userEvent.setup() };
    }

    it('the progress bar follows publishProgress events, moving with bytes sent before TikTok confirms them', async () => {
      const { backend } = setupPublish();
      await waitFor(() =>
        expect(row(31).getByTestId('queue-publish-state')).toHaveTextContent('Uploading'),
      );
      expect(row(31).getByTestId('queue-progress')).toHaveAttribute('value', '0');
      await backend.emit({
        kind: 'publishProgress',
        postId: 31,
        accountId: 1,
        state: 'uploading',
        bytesConfirmed: 0,
        bytesSent: 250,
        bytesTotal: 1000,
      });
      await waitFor(() =>
        expect(row(31).getByTestId('queue-progress')).toHaveAttribute('value', '25'),
      );
      await backend.emit({
        kind: 'publishProgress',
        postId: 31,
        accountId: 1,
        state: 'uploading',
        bytesConfirmed: 1000,
        bytesSent: 1000,
        bytesTotal: 1000,
      });
      await waitFor(() =>
        expect(row(31).getByTestId('queue-progress')).toHaveAttribute('value', '100'),
      );
      await backend.emit({
        kind: 'publishStateChanged',
        postId: 31,
        accountId: 1,
        state: 'processing',
        message: null,
      });
      await waitFor(() =>
        expect(row(31).getByTestId('queue-publish-state')).toHaveTextContent('Processing'),
      );
      expect(row(31).queryByTestId('queue-progress')).toBeNull();
    });

    it('offers retry wherever the engine takes one (not after an unknown outcome), and it calls retry_publish', async () => {
      const { backend, user } = setupPublish();
      await waitFor(() => expect(row(32).getByTestId('queue-retry')).toBeInTheDocument());
      // "Failed" once: the status says it, the step chip does not repeat it.
      expect(row(32).getByTestId('queue-status')).toHaveTextContent('Failed');
      expect(row(32).queryByTestId('queue-publish-state')).toBeNull();
      expect(row(32).getByText('TikTok was busy.')).toBeInTheDocument();
      // Not retryable by itself, but the creator may have fixed the cause (e.g. made the
      // account private): the engine takes the retry, so it is offered.
      expect(row(34).getByTestId('queue-retry')).toBeInTheDocument();
      expect(row(33).queryByTestId('queue-retry')).toBeNull();
      expect(row(31).queryByTestId('queue-retry')).toBeNull();
      await user.click(row(32).getByTestId('queue-retry'));
      await waitFor(() => expect(backend.calls('retry_publish')).toEqual([{ postId: 32 }]));
      await waitFor(() => expect(row(32).queryByTestId('queue-retry')).toBeNull());
    });

    it('mark as posted and dismiss only for an unknown outcome', async () => {
      const { backend, user } = setupPublish();
      await waitFor(() => expect(row(33).getByTestId('queue-mark-posted')).toBeInTheDocument());
      expect(row(33).getByTestId('queue-dismiss')).toBeInTheDocument();
      for (const id of [31, 32, 34, 35]) {
        expect(row(id).queryByTestId('queue-mark-posted')).toBeNull();
        expect(row(id).queryByTestId('queue-dismiss')).toBeNull();
      }
      await user.click(row(33).getByTestId('queue-mark-posted'));
      await waitFor(() => expect(backend.calls('mark_as_posted')).toEqual([{ postId: 33 }]));
      await waitFor(() => expect(row(33).queryByTestId('queue-dismiss')).toBeNull());
    });

    it('dismiss calls dismiss_unknown_outcome; cancel of a queued post goes to Trash with Undo', async () => {
      const { backend, user } = setupPublish();
      await waitFor(() => expect(row(33).getByTestId('queue-dismiss')).toBeInTheDocument());
      await user.click(row(33).getByTestId('queue-dismiss'));
      await waitFor(() =>
        expect(backend.calls('dismiss_unknown_outcome')).toEqual([{ postId: 33 }]),
      );
      expect(row(31).queryByTestId('queue-cancel')).toBeNull();
      await user.click(row(35).getByTestId('queue-cancel'));
      // The engine's cancel takes a still-queued job with the post, in one step.
      await waitFor(() => expect(backend.calls('cancel_post')).toEqual([{ postId: 35 }]));
      expect(toasts.items.at(-1)?.action?.label).toBe('Undo');
    });

    it('check again asks TikTok about a post whose outcome is unknown', async () => {
      const backend = mockBackend({
        accounts: [makeAccount({ id: 1 })],
        items: [
          makeItem({ id: 51, accountId: 1, status: 'needs_attention' }),
          makeItem({ id: 52, accountId: 1, status: 'needs_attention' }),
          makeItem({ id: 53, accountId: 1, status: 'publishing' }),
        ],
        posts: [51, 52, 53].map((id) => makePost({ id, accountId: 1 })),
        jobs: {
          51: makeJob({
            postId: 51,
            state: 'needs_attention',
            outcomeUnknown: true,
            publishId: 'v_pub_file~v2-1.1',
            errorCode: 'processing_timeout',
            errorMessage: 'TikTok has been processing this video for over 30 minutes.',
          }),
          // The init's answer was lost: there is no publish to ask about.
          52: makeJob({ postId: 52, state: 'needs_attention', outcomeUnknown: true }),
          53: makeJob({ postId: 53, state: 'processing', publishId: 'v_pub_file~v2-1.2' }),
        },
      });
      window.location.hash = '#/queue';
      render(App);
      const user = userEvent.setup();
      await waitFor(() => expect(row(51).getByTestId('queue-check-again')).toBeInTheDocument());
      expect(row(51).getByTestId('queue-mark-posted')).toBeInTheDocument();
      expect(row(51).getByTestId('queue-dismiss')).toBeInTheDocument();
      expect(row(51).queryByTestId('queue-retry')).toBeNull();
      expect(row(52).queryByTestId('queue-check-again')).toBeNull();
      expect(row(52).getByTestId('queue-mark-posted')).toBeInTheDocument();
      // Being processed: nothing to press, the engine's deadline ends it.
      for (const t of ['queue-check-again', 'queue-cancel', 'queue-delete', 'queue-retry'])
        expect(row(53).queryByTestId(t)).toBeNull();
      await user.click(row(51).getByTestId('queue-check-again'));
      await waitFor(() => expect(backend.calls('check_publish')).toEqual([{ postId: 51 }]));
      await waitFor(() => expect(row(51).queryByTestId('queue-check-again')).toBeNull());
      // The toast says what TikTok answered, not only that it was asked.
      expect(toasts.items.map((t) => t.message)).toContain('TikTok says it is posted');
    });

    it('an unknown outcome says needs attention and its reason once, and offers no relink', async () => {
      const reason = 'Outcome unknown — TikTok may or may not have received this post.';
      mockBackend({
        accounts: [makeAccount({ id: 1 })],
        items: [
          makeItem({ id: 71, accountId: 1, status: 'needs_attention', needsAttention: true }),
        ],
        posts: [
          makePost({ id: 71, accountId: 1, status: 'needs_attention', attentionReason: reason }),
        ],
        jobs: {
          71: makeJob({
            postId: 71,
            state: 'needs_attention',
            outcomeUnknown: true,
            errorCode: 'outcome_unknown',
            errorMessage: reason,
          }),
        },
      });
      window.location.hash = '#/queue';
      render(App);
      await waitFor(() => expect(row(71).getByTestId('queue-mark-posted')).toBeInTheDocument());
      await waitFor(() => expect(row(71).getByText(reason)).toBeInTheDocument());
      expect(row(71).getAllByText('Needs attention')).toHaveLength(1);
      expect(row(71).queryByTestId('queue-publish-reason')).toBeNull();
      // The question is whether TikTok has the post, not where its file is.
      expect(row(71).queryByTestId('queue-relink')).toBeNull();
    });

    it('a public post waiting for TikTok’s review says its link is coming, then shows it', async () => {
      mockBackend({
        accounts: [makeAccount({ id: 1 })],
        items: [
          makeItem({ id: 61, accountId: 1, accountTitle: '@alpha', status: 'published' }),
          makeItem({ id: 62, accountId: 1, accountTitle: '@alpha', status: 'published' }),
        ],
        posts: [61, 62].map((id) => makePost({ id, accountId: 1 })),
        jobs: {
          61: makeJob({
            postId: 61,
            state: 'published',
            tiktokStatus: 'PublishComplete',
            publicPostIds: '[]',
            publicIdNextAt: 1,
          }),
          62: makeJob({
            postId: 62,
            state: 'published',
            tiktokStatus: 'PublishComplete',
            publicPostIds: '["7305512345678901234"]',
          }),
        },
      });
      window.location.hash = '#/queue';
      render(App);
      await waitFor(() =>
        expect(row(61).getByTestId('queue-published-detail')).toHaveTextContent(
          'Tokdeck keeps asking',
        ),
      );
      await waitFor(() =>
        expect(
          within(row(62).getByTestId('queue-published-detail')).getByText('View on TikTok'),
        ).toHaveAttribute('href', 'https://www.tiktok.com/@creator1/video/7305512345678901234'),
      );
    });

    it('history lists every attempt', async () => {
      const { backend, user } = setupPublish();
      await waitFor(() => expect(row(32).getByTestId('queue-history')).toBeInTheDocument());
      await user.click(within(row(32).getByTestId('queue-history')).getByText('History'));
      await waitFor(() => expect(row(32).getAllByTestId('queue-history-row')).toHaveLength(2));
      expect(backend.calls('publish_history')).toContainEqual({ postId: 32 });
      const rows = row(32).getAllByTestId('queue-history-row');
      expect(rows[1]).toHaveTextContent('failed');
      expect(rows[1]).toHaveTextContent('log-abc');
      expect(rows[1]).toHaveTextContent('TikTok was busy.');
    });

    it('filters by section', async () => {
      const { user } = setupPublish();
      await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(5));
      await user.click(screen.getByTestId('queue-filter-attention'));
      await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
      await user.click(screen.getByTestId('queue-filter-progress'));
      await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(1));
      expect(screen.getByTestId('queue-row')).toHaveAttribute('data-post-id', '31');
    });
  });

  it('chooses rows, shifts them with a preview line and undoes in one go', async () => {
    const { backend, user } = setup();
    const outcome = {
      action: 'shift',
      done: [
        {
          postId: 11,
          accountId: 1,
          caption: 'Dance challenge',
          at: null,
          local: null,
          zone: null,
          warnings: [],
        },
      ],
      skipped: [
        {
          postId: 21,
          caption: 'Paused one',
          message: 'It is paused: Beta needs to be reconnected.',
        },
      ],
      undo: [
        {
          postId: 11,
          trashed: false,
          updatedAt: 5,
          atMs: 2,
          beforeMs: 1,
          beforeZone: 'UTC',
          beforeLocal: '2030-05-01T09:30',
        },
      ],
    };
    backend.handlers.shift_posts = () => outcome;
    backend.handlers.undo_bulk = () => ({ undone: [11], asDrafts: [], kept: [] });
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    // A post that needs attention cannot be chosen; the others can.
    expect(row(12).queryByTestId('queue-choose')).toBeNull();
    expect(screen.queryByTestId('bulk-bar')).toBeNull();
    await user.click(screen.getByTestId('queue-choose-all'));
    expect(screen.getByTestId('bulk-count')).toHaveTextContent('2 posts chosen');
    await user.click(screen.getByTestId('bulk-shift'));
    const days = screen.getByTestId('bulk-shift-days');
    await user.clear(days);
    await user.type(days, '3');
    expect(screen.getByTestId('bulk-shift-preview')).toHaveTextContent('2 posts move 3 days later');
    await user.click(screen.getByTestId('bulk-shift-apply'));
    await waitFor(() => expect(backend.calls('shift_posts')).toHaveLength(1));
    expect(backend.calls('shift_posts')[0]).toEqual({
      targets: [
        { postId: 11, updatedAt: '2026-03-01T08:00:00.000Z' },
        { postId: 21, updatedAt: '2026-03-01T08:00:00.000Z' },
      ],
      days: 3,
    });
    const toast = await screen.findByText(/1 post moved 3 days later/);
    expect(toast).toHaveTextContent('“Paused one” was left as it was: It is paused');
    expect(screen.queryByTestId('bulk-bar')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(backend.calls('undo_bulk')).toEqual([{ entries: outcome.undo }]));
  });
});
