import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import type { Heatmap, PostCurve, PostPerformance, TopPostsQuery } from '../lib/bindings';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, mockBackend } from '../test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

function perf(over: Partial<PostPerformance>): PostPerformance {
  return {
    id: 1,
    accountId: 1,
    postId: 10,
    videoId: 'v1',
    matchKind: 'public_id',
    visibility: 'public',
    shareUrl: null,
    caption: 'Glaze test',
    publishedAt: '2026-11-20T18:00:00Z',
    liveAt: null,
    goneAt: null,
    views: 12_400,
    likes: 900,
    comments: 20,
    shares: 4,
    countedAt: null,
    ...over,
  };
}

const POSTS = [
  perf({ id: 1, caption: 'Glaze test' }),
  perf({
    id: 2,
    postId: 11,
    caption: 'Only for me',
    visibility: 'private',
    views: null,
    likes: null,
    comments: null,
    shares: null,
  }),
  perf({ id: 3, postId: 12, caption: 'Maybe this one', matchKind: 'uncertain', views: 300 }),
];

function heatmap(enough: boolean): Heatmap {
  return {
    accountId: 1,
    zone: 'UTC',
    cells: [{ weekday: 5, hour: 19, relative: 2.4, posts: 3 }],
    posts: enough ? 12 : 3,
    medianViews: 1000,
    enough,
  };
}

function backend(enough = false) {
  const b = mockBackend({ accounts: [makeAccount({ id: 1, username: 'maya.makes' })] });
  b.handlers.account_series = () => ({ accountId: 1, points: [], gaps: [] });
  b.handlers.top_posts = (args) => {
    const q = (args as { query: TopPostsQuery }).query;
    return q.sort === 'recent' ? [...POSTS].reverse() : POSTS;
  };
  b.handlers.post_curve = (args): PostCurve => {
    const id = (args as { performanceId: number }).performanceId;
    return {
      post: POSTS.find((p) => p.id === id) as PostPerformance,
      points: [],
      accountMedian: [],
    };
  };
  b.handlers.best_time_heatmap = () => heatmap(enough);
  return b;
}

describe('the Analytics page', () => {
  it('lists top posts in the sort asked for, with plain words for private and uncertain ones', async () => {
    const b = backend();
    window.location.hash = '#/analytics';
    render(App);
    const rows = await screen.findAllByTestId('analytics-top-row');
    expect(rows).toHaveLength(3);
    const priv = within(rows[1] as HTMLElement);
    expect(priv.getByText(/TikTok doesn’t report numbers/)).toBeInTheDocument();
    // No zeros for a private post.
    expect(priv.queryByText('0')).toBeNull();
    expect(within(rows[2] as HTMLElement).getByText(/not for sure/)).toBeInTheDocument();

    await userEvent.setup().click(screen.getByTestId('analytics-sort-recent'));
    await waitFor(() =>
      expect(b.calls('top_posts').at(-1)).toMatchObject({ query: { sort: 'recent' } }),
    );
    await waitFor(() =>
      expect(screen.getAllByTestId('analytics-top-row')[0]).toHaveTextContent('Maybe this one'),
    );
  });

  it('opens a post (the first by default) and says why a private one has no curve', async () => {
    backend();
    window.location.hash = '#/analytics';
    render(App);
    await screen.findByTestId('analytics-curve');
    const open = await screen.findAllByTestId('analytics-top-open');
    await userEvent.setup().click(open[1] as HTMLElement);
    await waitFor(() =>
      expect(screen.getByTestId('analytics-curve-numbers')).toHaveTextContent(
        /TikTok doesn’t report/,
      ),
    );
    expect(screen.queryByTestId('analytics-curve-chart')).toBeNull();
  });

  it('says "not enough posts yet" on the heatmap until the engine has enough', async () => {
    backend(false);
    window.location.hash = '#/analytics';
    render(App);
    const note = await screen.findByTestId('analytics-heatmap-not-enough');
    expect(note).toHaveTextContent('3 so far');
    const cell = screen
      .getAllByTestId('analytics-heat-cell')
      .find((c) => c.dataset.weekday === '5' && c.dataset.hour === '19') as HTMLElement;
    expect(cell.dataset.posts).toBe('3');
    expect(cell.dataset.confidence).toBe('some');
  });

  it('shows the pattern, relative to the usual, once there is enough', async () => {
    backend(true);
    window.location.hash = '#/analytics';
    render(App);
    const map = await screen.findByTestId('analytics-heatmap');
    await waitFor(() => expect(map.dataset.enough).toBe('true'));
    expect(screen.queryByTestId('analytics-heatmap-not-enough')).toBeNull();
    expect(map).toHaveTextContent('2.4×');
  });

  it('saves a CSV where the person chose, and does nothing when they cancel', async () => {
    const b = backend();
    let answer: string | null = null;
    b.handlers.save_analytics_csv = () => answer;
    window.location.hash = '#/analytics';
    render(App);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('analytics-export-samples'));
    await waitFor(() => expect(b.calls('save_analytics_csv')).toHaveLength(1));
    expect(b.calls('save_analytics_csv')[0]).toMatchObject({ kind: 'samples' });
    expect(toasts.items).toHaveLength(0);
    answer = '/home/me/Documents/tokdeck-post-numbers-2026-12-02.csv';
    await user.click(screen.getByTestId('analytics-export-snapshots'));
    await waitFor(() =>
      expect(toasts.items.map((t) => t.message)).toContain(
        'Saved tokdeck-post-numbers-2026-12-02.csv',
      ),
    );
  });
});
