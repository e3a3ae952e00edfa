// A post in Trash opened in the composer says so and offers Restore; its fields would only be
// refused on save (the engine keeps Trash out of every edit).
import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../App.svelte';
import type { TrashItem } from '../lib/bindings';
import { makeAccount, makeCreator, makePost, mockBackend } from '../test/backend';
import { resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

function inTrash(): TrashItem {
  return {
    id: 7,
    accountId: 1,
    accountTitle: 'Maya Makes',
    mode: 'direct',
    caption: 'Sourdough, day 3',
    thumbnailPath: null,
    was: 'scheduled',
    deleted: true,
    trashedAt: '2026-12-01T10:00:00Z',
    purgeAt: '2026-12-31T10:00:00Z',
    daysLeft: 29,
    postLocal: '2026-12-02T09:00',
    postZone: 'UTC',
  };
}

describe('a trashed post in the composer', () => {
  it('says it is in Trash with Restore instead of fields; Restore gives back an editable draft', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1, displayName: 'Maya Makes' })],
      creators: { 1: makeCreator() },
      posts: [makePost({ id: 7, accountId: 1, caption: 'Sourdough, day 3', status: 'cancelled' })],
    });
    backend.trash.push(inTrash());
    window.location.hash = '#/compose/7';
    render(App);
    const trashed = await screen.findByTestId('compose-trashed');
    expect(trashed).toHaveTextContent('This post is in Trash');
    expect(trashed).toHaveTextContent('Sourdough, day 3');
    await waitFor(() =>
      expect(within(trashed).getByTestId('compose-trashed-status')).toHaveTextContent(
        'Deleted (it was scheduled). Deleted for good in 29 days.',
      ),
    );
    // Nothing to edit, nothing that would be refused on save.
    expect(screen.queryByTestId('composer')).toBeNull();
    expect(trashed.querySelectorAll('input, textarea, select')).toHaveLength(0);

    const user = userEvent.setup();
    await user.click(within(trashed).getByTestId('compose-restore'));
    await waitFor(() => expect(backend.calls('restore_post')).toEqual([{ postId: 7 }]));
    expect(await screen.findByTestId('composer')).toBeInTheDocument();
    expect(screen.queryByTestId('compose-trashed')).toBeNull();
    expect(screen.getByTestId('compose-caption')).toHaveValue('Sourdough, day 3');
    expect(await screen.findByText('Restored as a draft.')).toBeInTheDocument();
  });

  it('opens from its Trash row: the caption leads to the read-only view', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1, displayName: 'Maya Makes' })],
      creators: { 1: makeCreator() },
      posts: [makePost({ id: 7, accountId: 1, caption: 'Sourdough, day 3', status: 'cancelled' })],
    });
    backend.trash.push(inTrash());
    window.location.hash = '#/trash';
    render(App);
    const open = await screen.findByTestId('trash-open');
    expect(open).toHaveAccessibleName('Sourdough, day 3');
    await userEvent.setup().click(open);
    const trashed = await screen.findByTestId('compose-trashed');
    expect(trashed).toHaveTextContent('Sourdough, day 3');
    expect(screen.queryByTestId('composer')).toBeNull();
  });

  it('Cancel post in the composer turns it into the Trash view, and Undo brings the fields back', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1, displayName: 'Maya Makes' })],
      creators: { 1: makeCreator() },
      posts: [
        makePost({
          id: 8,
          accountId: 1,
          caption: 'Glaze test',
          status: 'scheduled',
          scheduledAt: '2099-03-12T09:00:00Z',
          scheduleLocal: '2099-03-12T09:00',
          scheduleZone: 'UTC',
        }),
      ],
    });
    window.location.hash = '#/compose/8';
    render(App);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('compose-cancel'));
    await waitFor(() => expect(backend.calls('cancel_post')).toEqual([{ postId: 8 }]));
    const trashed = await screen.findByTestId('compose-trashed');
    expect(screen.queryByTestId('composer')).toBeNull();
    expect(trashed).toHaveTextContent('Glaze test');

    await user.click(await screen.findByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(backend.calls('undo_trash')).toEqual([{ postId: 8 }]));
    expect(await screen.findByTestId('composer')).toBeInTheDocument();
    expect(screen.queryByTestId('compose-trashed')).toBeNull();
  });
});
