import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../App.svelte';
import type { PostDto, VariantOutcome } from '../../lib/bindings';
import { makeAccount, makeCreator, makePost, mockBackend } from '../../test/backend';
import { el, resetAppBetweenTests, setWhen } from '../../test/pages';

resetAppBetweenTests();

/** Compose for account 1 with accounts 2 (same audiences) and 3 (friends or only me). */
async function open() {
  const backend = mockBackend({
    accounts: [
      makeAccount({ id: 1, displayName: 'Main' }),
      makeAccount({ id: 2, displayName: 'Leo' }),
      makeAccount({ id: 3, displayName: 'Kitchen' }),
    ],
    creators: {
      1: makeCreator({ accountId: 1 }),
      2: makeCreator({ accountId: 2, nickname: 'Leo' }),
      3: makeCreator({
        accountId: 3,
        nickname: 'Kitchen',
        privacyLevelOptions: ['MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
        duetDisabled: true,
      }),
    },
  });
  backend.accountZones[2] = 'UTC';
  backend.accountZones[3] = 'UTC';
  // As the engine: a draft per account, an audience that account does not offer left unchosen.
  let nextId = 900;
  backend.handlers.create_variants = (args) => {
    const { postId, accountIds } = args as { postId: number; accountIds: number[] };
    const source = backend.posts.find((p) => p.id === postId) as PostDto;
    return accountIds.map((acct): VariantOutcome => {
      const keep = acct !== 3 || source.privacyLevel !== 'PUBLIC_TO_EVERYONE';
      const post = makePost({
        ...source,
        id: nextId++,
        accountId: acct,
        status: 'draft',
        privacyLevel: keep ? source.privacyLevel : null,
      });
      backend.posts.push(post);
      return {
        accountId: acct,
        post,
        suggestedAt: null,
        notes: keep
          ? []
          : ['Kitchen does not offer the same audience: choose who can see this copy.'],
        warnings: [],
        error: null,
      };
    });
  };
  backend.handlers.duplicate_content = () => [
    'The same video is already published on @old. TikTok treats identical uploads on several accounts as unoriginal content and may limit their reach; consider a different edit.',
  ];
  backend.setPick(['/videos/clip.mp4']);
  window.location.hash = '#/compose';
  render(App);
  await screen.findByTestId('app-ready');
  const user = userEvent.setup();
  const account = (await screen.findByTestId('compose-account')) as HTMLSelectElement;
  await waitFor(() => expect(account.options.length).toBeGreaterThan(2));
  await user.selectOptions(account, '1');
  await user.click(screen.getByTestId('compose-choose-files'));
  await screen.findByTestId('composer');
  await screen.findByTestId('compose-creator-nickname');
  return { backend, user };
}

const rowOf = (acct: number) =>
  document.querySelector<HTMLElement>(`[data-testid=variant-row][data-account-id="${acct}"]`)!;

describe('composer: post to other accounts too', () => {
  it('makes per-account copies with their own audience and staggered times', async () => {
    const { backend, user } = await open();
    await user.selectOptions(el('compose-privacy'), 'PUBLIC_TO_EVERYONE');
    setWhen('2099-05-01', '10:00');
    const panel = el('compose-variants');
    await waitFor(() =>
      expect(within(panel).getByTestId('variants-stagger')).toHaveTextContent(
        'Each account posts 30 min after the one before.',
      ),
    );
    expect(within(panel).getByTestId('variants-stagger-link')).toHaveAttribute(
      'href',
      '#/settings/planning',
    );
    // Wait until the composer resolved its time (the base of the stagger).
    await waitFor(() => expect(el('compose-schedule')).toBeEnabled());
    for (const box of within(panel).getAllByTestId('variants-target')) await user.click(box);
    await user.click(el('variants-create'));
    await waitFor(() => expect(screen.getAllByTestId('variant-row')).toHaveLength(2));
    // The form was saved first, so the copies carry it.
    expect(backend.calls('update_post').length).toBeGreaterThan(0);
    expect(backend.calls('create_variants')).toEqual([
      { postId: backend.posts[0].id, accountIds: [2, 3] },
    ]);

    const leo = within(rowOf(2));
    const kitchen = within(rowOf(3));
    await waitFor(() =>
      expect(leo.getByTestId('variant-privacy')).toHaveValue('PUBLIC_TO_EVERYONE'),
    );
    // Kitchen's own options, with nothing chosen for the creator.
    const kitchenPrivacy = kitchen.getByTestId('variant-privacy') as HTMLSelectElement;
    await waitFor(() => expect(kitchenPrivacy.options.length).toBe(3));
    expect(kitchenPrivacy.value).toBe('');
    expect(kitchen.getByTestId('variant-notes')).toHaveTextContent('choose who can see this copy');
    expect(kitchen.getByTestId('variant-blockers')).toHaveTextContent(
      'Choose who can see this copy.',
    );
    // Times: 30 and 60 minutes after this post, in each account's zone.
    expect((el('variant-2-time') as HTMLInputElement).value).toMatch(/^10:30/);
    expect((el('variant-3-time') as HTMLInputElement).value).toMatch(/^11:00/);
    // The duplicate-content warning, once.
    expect(screen.getAllByTestId('variants-duplicate-warning')).toHaveLength(1);
    expect(el('variants-duplicate-warning')).toHaveTextContent('already published on @old');
  });

  it('schedules all; a copy that fails stays listed with its reason and is retried', async () => {
    const { backend, user } = await open();
    await user.selectOptions(el('compose-privacy'), 'SELF_ONLY');
    setWhen('2099-05-01', '10:00');
    await waitFor(() => expect(el('compose-schedule')).toBeEnabled());
    const panel = el('compose-variants');
    for (const box of within(panel).getAllByTestId('variants-target')) await user.click(box);
    await user.click(el('variants-create'));
    await waitFor(() => expect(screen.getAllByTestId('variant-row')).toHaveLength(2));
    await fireEvent.input(within(rowOf(2)).getByTestId('variant-caption'), {
      target: { value: 'For Leo' },
    });
    await fireEvent.input(within(rowOf(3)).getByTestId('variant-caption'), {
      target: { value: 'For Kitchen' },
    });
    const ordinary = backend.handlers.schedule_post;
    let refuse = true;
    backend.handlers.schedule_post = (args) => {
      if ((args as { postId: number }).postId === 901 && refuse)
        throw { code: 'invalid_input', message: 'Kitchen reached its 15 posts for the day.' };
      return ordinary(args);
    };
    await user.click(el('variants-schedule-all'));
    await waitFor(() =>
      expect(el('variants-summary')).toHaveTextContent('1 copy scheduled; not scheduled: Kitchen.'),
    );
    // This post too, then each copy with its own caption.
    expect(backend.calls('schedule_post').map((c) => (c as { postId: number }).postId)).toEqual([
      backend.posts[0].id,
      900,
      901,
    ]);
    expect(backend.calls('update_post')).toContainEqual(
      expect.objectContaining({
        postId: 900,
        patch: expect.objectContaining({ caption: 'For Leo' }),
      }),
    );
    expect(rowOf(2).dataset.state).toBe('scheduled');
    expect(rowOf(3).dataset.state).toBe('failed');
    expect(within(rowOf(3)).getByTestId('variant-error')).toHaveTextContent(
      'Not scheduled: Kitchen reached its 15 posts for the day.',
    );
    expect(within(rowOf(3)).getByTestId('variant-error')).not.toHaveTextContent('invalid_input');

    refuse = false;
    await user.click(within(rowOf(3)).getByTestId('variant-retry'));
    await waitFor(() => expect(rowOf(3).dataset.state).toBe('scheduled'));
    // The scheduled copy was not scheduled twice.
    expect(
      backend.calls('schedule_post').filter((c) => (c as { postId: number }).postId === 900),
    ).toHaveLength(1);
  });

  it('a copy added later goes on from the copies already listed', async () => {
    const { user } = await open();
    await user.selectOptions(el('compose-privacy'), 'SELF_ONLY');
    setWhen('2099-05-01', '10:00');
    await waitFor(() => expect(el('compose-schedule')).toBeEnabled());
    const target = (id: number) =>
      document.querySelector<HTMLInputElement>(`[data-testid=variants-target][value="${id}"]`)!;
    await user.click(target(2));
    await user.click(el('variants-create'));
    await waitFor(() => expect(screen.getAllByTestId('variant-row')).toHaveLength(1));
    await user.click(target(3));
    await user.click(el('variants-create'));
    await waitFor(() => expect(screen.getAllByTestId('variant-row')).toHaveLength(2));
    expect((el('variant-2-time') as HTMLInputElement).value).toMatch(/^10:30/);
    expect((el('variant-3-time') as HTMLInputElement).value).toMatch(/^11:00/);
    // Accounts that have a copy are no longer offered.
    expect(screen.queryByTestId('variants-target')).not.toBeInTheDocument();
  });

  it('a copy not scheduled can be removed: its draft goes to Trash and its account is offered again', async () => {
    const { backend, user } = await open();
    await user.selectOptions(el('compose-privacy'), 'SELF_ONLY');
    setWhen('2099-05-01', '10:00');
    await waitFor(() => expect(el('compose-schedule')).toBeEnabled());
    const target = (id: number) =>
      document.querySelector<HTMLInputElement>(`[data-testid=variants-target][value="${id}"]`);
    await user.click(target(2)!);
    await user.click(target(3)!);
    await user.click(el('variants-create'));
    await waitFor(() => expect(screen.getAllByTestId('variant-row')).toHaveLength(2));
    const copy = Number(
      backend.posts.find((p) => p.accountId === 3 && p.id >= 900)?.id ?? Number.NaN,
    );

    await user.click(within(rowOf(3)).getByRole('button', { name: 'Remove the copy for Kitchen' }));
    await waitFor(() => expect(screen.getAllByTestId('variant-row')).toHaveLength(1));
    expect(backend.calls('delete_post')).toEqual([{ postId: copy }]);
    expect(await screen.findByText(/Post deleted\. It stays in Trash/)).toBeInTheDocument();
    // Kitchen can be chosen again; Leo's copy stays.
    expect(target(3)).toBeInTheDocument();
    expect(target(2)).not.toBeInTheDocument();
    expect(rowOf(2)).toBeInTheDocument();
  });
});
