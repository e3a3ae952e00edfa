// Bulk planning on the Drafts page: choose drafts, see where "Schedule into slots" puts each
// (nothing committed yet), schedule them with one Undo, Add to queue one draft, edit many at
// once with per-draft conflicts listed, and delete the chosen ones to Trash with Undo.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/svelte';
import type { PlanItem, SlotPlan } from '../lib/bindings';
import { makeAccount, makePost, mockBackend } from '../test/backend';
import { openAccounts, resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

function drafts() {
  const backend = mockBackend({
    accounts: [
      makeAccount({ id: 1, displayName: 'Maya Makes', username: 'maya.makes' }),
      makeAccount({ id: 2, displayName: 'Leo Travels', username: 'leo_travels' }),
    ],
    posts: [
      makePost({ id: 11, accountId: 1, caption: 'Pottery timelapse', mediaPath: '/v/pot.mp4' }),
      makePost({ id: 12, accountId: 2, caption: 'Alps', mediaPath: '/v/alps.mp4' }),
      makePost({ id: 13, accountId: 1, caption: 'Glaze test', mediaPath: '/v/glaze.mp4' }),
    ],
  });
  return backend;
}

const item = (postId: number, accountId: number, local: string | null): PlanItem => ({
  postId,
  accountId,
  mode: 'direct',
  caption: '',
  updatedAt: 5,
  at: local ? `${local}:00Z` : null,
  atMs: local ? Date.parse(`${local}:00Z`) : null,
  local,
  zone: local ? 'UTC' : null,
  problem: local ? null : 'no_slots',
  message: local ? null : 'Leo Travels has no posting slots yet: add some on the Accounts page.',
});

const card = (id: number) =>
  within(document.querySelector<HTMLElement>(`[data-testid="draft-card"][data-post-id="${id}"]`)!);

describe('Drafts page: bulk planning', () => {
  it('previews where the chosen drafts land, schedules the placed ones, and undoes them all at once', async () => {
    const backend = drafts();
    const plan: SlotPlan = {
      items: [item(13, 1, '2099-05-04T09:00'), item(12, 2, null), item(11, 1, '2099-05-04T18:00')],
      placed: 2,
      refused: 1,
    };
    backend.handlers.preview_slot_schedule = () => plan;
    backend.handlers.commit_slot_schedule = (args) => {
      const planned = (args as { planned: { postId: number; atMs: number }[] }).planned;
      return {
        scheduled: plan.items.filter((i) => planned.some((p) => p.postId === i.postId)),
        refused: [],
        undo: planned.map((p) => ({ postId: p.postId, atMs: p.atMs })),
      };
    };
    backend.handlers.undo_slot_schedule = (args) => ({
      undone: (args as { entries: { postId: number }[] }).entries.map((e) => e.postId),
      kept: [],
    });
    const user = await openAccounts('#/drafts');
    await waitFor(() => expect(screen.getAllByTestId('draft-card')).toHaveLength(3));

    await user.click(screen.getByTestId('drafts-select-all'));
    expect(screen.getByTestId('drafts-bulk')).toHaveTextContent('3 chosen');
    await user.click(screen.getByTestId('drafts-plan-slots'));
    const panel = await screen.findByTestId('slot-plan');
    expect(backend.calls('preview_slot_schedule')).toEqual([{ postIds: [13, 12, 11] }]);
    expect(backend.calls('commit_slot_schedule')).toEqual([]);
    expect(within(panel).getByTestId('slot-plan-summary')).toHaveTextContent(
      '2 of 3 drafts fit into free slots',
    );
    const rows = within(panel).getAllByTestId('slot-plan-item');
    expect(rows[0]).toHaveTextContent('Glaze test');
    expect(rows[0]).toHaveTextContent(/9:00/);
    expect(rows[1]).toHaveTextContent('has no posting slots yet');

    await user.click(within(panel).getByTestId('slot-plan-commit'));
    expect(backend.calls('commit_slot_schedule')).toEqual([
      {
        planned: [
          { postId: 13, atMs: Date.parse('2099-05-04T09:00:00Z'), updatedAt: 5 },
          { postId: 11, atMs: Date.parse('2099-05-04T18:00:00Z'), updatedAt: 5 },
        ],
      },
    ]);
    const toast = await screen.findByText("2 posts scheduled into their accounts' slots.");
    await waitFor(() => expect(screen.queryByTestId('slot-plan')).toBeNull());
    await user.click(within(toast.closest('[data-testid="toast"]')!).getByTestId('toast-action'));
    await waitFor(() =>
      expect(backend.calls('undo_slot_schedule')).toEqual([
        {
          entries: [
            { postId: 13, atMs: Date.parse('2099-05-04T09:00:00Z') },
            { postId: 11, atMs: Date.parse('2099-05-04T18:00:00Z') },
          ],
        },
      ]),
    );
    expect(await screen.findByText('2 posts back to drafts.')).toBeInTheDocument();
  });

  it("adds one draft to its account's queue", async () => {
    const backend = drafts();
    backend.handlers.add_to_queue = (args) => {
      const id = (args as { postId: number }).postId;
      return {
        scheduled: [item(id, 1, '2099-05-05T09:00')],
        refused: [],
        undo: [{ postId: id, atMs: Date.parse('2099-05-05T09:00:00Z') }],
      };
    };
    const user = await openAccounts('#/drafts');
    await waitFor(() => expect(screen.getAllByTestId('draft-card')).toHaveLength(3));
    await user.click(card(11).getByTestId('draft-queue'));
    expect(backend.calls('add_to_queue')).toEqual([{ postId: 11 }]);
    expect(await screen.findByText(/^Scheduled for .*9:00/)).toBeInTheDocument();
  });

  it('edits the chosen drafts at once and lists what an account refused', async () => {
    const backend = drafts();
    backend.handlers.batch_edit = (args) => {
      const { postIds } = args as { postIds: number[] };
      return postIds.map((postId) => ({
        postId,
        saved: true,
        caption: 'x',
        conflicts: postId === 12 ? ['Leo Travels does not allow duets: left off.'] : [],
        warnings: [],
      }));
    };
    const user = await openAccounts('#/drafts');
    await waitFor(() => expect(screen.getAllByTestId('draft-card')).toHaveLength(3));
    await user.click(card(11).getByTestId('draft-select'));
    await user.click(card(12).getByTestId('draft-select'));
    await user.click(screen.getByTestId('drafts-batch-edit'));
    const panel = await screen.findByTestId('batch-edit');
    expect(within(panel).getByTestId('batch-apply')).toBeDisabled();
    await user.type(within(panel).getByTestId('batch-caption'), 'Day {{n} — {{file}');
    await user.selectOptions(within(panel).getByTestId('batch-privacy'), 'SELF_ONLY');
    await user.selectOptions(within(panel).getByTestId('batch-duet'), 'on');
    await user.click(within(panel).getByTestId('batch-apply'));
    expect(backend.calls('batch_edit')).toEqual([
      {
        postIds: [12, 11],
        edit: {
          captionTemplate: 'Day {n} — {file}',
          hashtags: null,
          privacyLevel: 'SELF_ONLY',
          allowComment: null,
          allowDuet: true,
          allowStitch: null,
        },
      },
    ]);
    const results = await screen.findByTestId('batch-results');
    expect(results).toHaveTextContent('2 drafts updated.');
    expect(within(results).getByTestId('batch-result-note')).toHaveTextContent(
      'Alps: Leo Travels does not allow duets',
    );
  });

  it('deletes the chosen drafts to Trash with one Undo', async () => {
    const backend = drafts();
    // Undo gives a deleted draft back as the draft it was.
    backend.handlers.undo_trash = (args) => {
      const id = (args as { postId: number }).postId;
      const i = backend.posts.findIndex((p) => p.id === id);
      backend.posts[i] = { ...backend.posts[i], status: 'draft' };
      return { post: backend.posts[i], note: null };
    };
    const user = await openAccounts('#/drafts');
    await waitFor(() => expect(screen.getAllByTestId('draft-card')).toHaveLength(3));
    await user.click(card(11).getByTestId('draft-select'));
    await user.click(card(13).getByTestId('draft-select'));
    await user.click(screen.getByTestId('drafts-delete-chosen'));
    const toast = await screen.findByText(/2 drafts moved to Trash/);
    await waitFor(() => expect(screen.getAllByTestId('draft-card')).toHaveLength(1));
    await user.click(within(toast.closest('[data-testid="toast"]')!).getByTestId('toast-action'));
    await waitFor(() => expect(backend.calls('undo_trash')).toHaveLength(2));
    await waitFor(() => expect(screen.getAllByTestId('draft-card')).toHaveLength(3));
  });
});
