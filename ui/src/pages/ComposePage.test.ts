import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../App.svelte';
import { makeAccount, makeCreator, makePost, mockBackend } from '../test/backend';
import {
  el,
  fillValid,
  openComposer,
  privacySelect,
  resetAppBetweenTests,
  scheduleBtn,
  setWhen,
} from '../test/pages';

resetAppBetweenTests();

const DISCLOSURE_HOVER =
  'You need to indicate if your content promotes yourself, a third party, or both.';
const ONLY_ME_HOVER = 'Branded content visibility cannot be set to private.';

describe('composer: creator info', () => {
  it('fetches fresh creator info and shows "Posting to <nickname>"', async () => {
    const { backend } = await openComposer({ creator: { nickname: 'Dana Dances' } });
    expect(el('compose-creator-nickname')).toHaveTextContent('Posting to Dana Dances');
    expect(backend.calls('creator_info')).toContainEqual({ accountId: 1 });
  });

  it('stops when the creator cannot post now', async () => {
    const { user } = await openComposer({
      creator: {
        canPost: false,
        cannotPostReason: 'TikTok says this creator posted too much today.',
      },
      waitNickname: false,
    });
    const stop = await screen.findByTestId('compose-cannot-post');
    expect(stop).toHaveTextContent('TikTok says this creator posted too much today.');
    expect(stop).toHaveTextContent('Try again later');
    expect(screen.queryByTestId('compose-creator-nickname')).not.toBeInTheDocument();
    await user.click(el('compose-publish-now'));
    expect(scheduleBtn()).toBeDisabled();
  });

  it('an account that did not allow posting directly can still send to its inbox', async () => {
    const why =
      '@main did not allow posting directly — reconnect and allow it, or send to the inbox.';
    const { user } = await openComposer({
      creator: { canPost: false, cannotPostReason: why, privacyLevelOptions: [] },
      waitNickname: false,
    });
    expect(await screen.findByTestId('compose-cannot-post')).toHaveTextContent(why);
    setWhen();
    expect(scheduleBtn()).toBeDisabled();
    await user.click(el('compose-mode-inbox'));
    expect(screen.queryByTestId('compose-cannot-post')).not.toBeInTheDocument();
    await waitFor(() => expect(scheduleBtn()).toBeEnabled());
  });

  it('a creator_info error also stops scheduling', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ id: 1 })] });
    backend.handlers.creator_info = () => {
      throw { code: 'tiktok', message: 'spam_risk_user_banned_from_posting' };
    };
    backend.setPick(['/videos/a.mp4']);
    window.location.hash = '#/compose';
    render(App);
    await screen.findByTestId('app-ready');
    const user = userEvent.setup();
    const account = el('compose-account') as HTMLSelectElement;
    await waitFor(() => expect(account.options.length).toBe(2));
    await user.selectOptions(account, '1');
    await user.click(el('compose-choose-files'));
    await screen.findByTestId('composer');
    expect(await screen.findByTestId('compose-cannot-post')).toHaveTextContent(
      'spam_risk_user_banned_from_posting',
    );
    expect(scheduleBtn()).toBeDisabled();
  });

  it("blocks a video longer than the creator's max duration", async () => {
    const { user } = await openComposer({
      creator: { maxVideoPostDurationSec: 30 },
      durationMs: 42_000,
    });
    await user.selectOptions(privacySelect(), 'PUBLIC_TO_EVERYONE');
    setWhen();
    expect(await screen.findByTestId('compose-duration-error')).toHaveTextContent('up to 30 s');
    expect(scheduleBtn()).toBeDisabled();
    expect(scheduleBtn().title).toMatch(/42 s long.*up to 30 s/);
  });

  it('a video within the max duration is not blocked', async () => {
    const { user } = await openComposer({ creator: { maxVideoPostDurationSec: 60 } });
    await fillValid(user);
    expect(screen.queryByTestId('compose-duration-error')).not.toBeInTheDocument();
  });
});

describe('composer: privacy', () => {
  it('has no default, a placeholder, is required, and blocks scheduling until chosen', async () => {
    const { user } = await openComposer();
    const select = privacySelect();
    expect(select.value).toBe('');
    expect(select).toBeRequired();
    expect(select.selectedOptions[0]).toHaveTextContent('Select who can see this');
    setWhen();
    await waitFor(() => expect(scheduleBtn().title).toBe('Choose who can see this post.'));
    expect(scheduleBtn()).toBeDisabled();
    await user.selectOptions(select, 'MUTUAL_FOLLOW_FRIENDS');
    await waitFor(() => expect(scheduleBtn()).toBeEnabled());
  });

  it("offers exactly the creator's options with human labels", async () => {
    await openComposer({
      creator: {
        privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      },
    });
    const options = [...privacySelect().options].filter((o) => o.value !== '');
    expect(options.map((o) => o.value)).toEqual([
      'FOLLOWER_OF_CREATOR',
      'MUTUAL_FOLLOW_FRIENDS',
      'SELF_ONLY',
    ]);
    expect(options.map((o) => o.textContent)).toEqual(['Followers', 'Friends', 'Only me']);
  });

  it('labels Everyone for PUBLIC_TO_EVERYONE', async () => {
    await openComposer({ creator: { privacyLevelOptions: ['PUBLIC_TO_EVERYONE'] } });
    const options = [...privacySelect().options].filter((o) => o.value !== '');
    expect(options.map((o) => o.textContent)).toEqual(['Everyone']);
  });
});

describe('composer: interactions', () => {
  it('Allow comment / duet / stitch are unchecked by default', async () => {
    await openComposer();
    for (const id of ['compose-allow-comment', 'compose-allow-duet', 'compose-allow-stitch']) {
      expect(el(id)).not.toBeChecked();
      expect(el(id)).toBeEnabled();
    }
  });

  it('are disabled and greyed with a reason when creator_info says so', async () => {
    await openComposer({
      creator: { commentDisabled: true, duetDisabled: false, stitchDisabled: true },
    });
    expect(el('compose-allow-comment')).toBeDisabled();
    expect(el('compose-allow-comment').closest('label')).toHaveClass('greyed');
    expect(el('compose-comment-why')).toHaveTextContent('comments off');
    expect(el('compose-allow-duet')).toBeEnabled();
    expect(el('compose-allow-stitch')).toBeDisabled();
    expect(el('compose-stitch-why')).toBeInTheDocument();
  });

  it('a saved post reopened after the creator turned comments off shows them off', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 })],
      creators: { 1: makeCreator({ commentDisabled: true }) },
      posts: [makePost({ id: 77, accountId: 1, allowComment: true, allowDuet: true })],
    });
    window.location.hash = '#/compose/77';
    render(App);
    await screen.findByTestId('compose-creator-nickname');
    expect(el('compose-allow-comment')).not.toBeChecked();
    expect(el('compose-allow-comment')).toBeDisabled();
    expect(el('compose-allow-duet')).toBeChecked();
    expect(backend.calls('get_post')).toContainEqual({ postId: 77 });
  });
});

describe('composer: commercial content disclosure', () => {
  it('is off by default; when on, needs a choice (exact hover text) before scheduling', async () => {
    const { user } = await openComposer();
    await fillValid(user);
    expect(el('compose-disclosure')).not.toBeChecked();
    expect(screen.queryByTestId('compose-your-brand')).not.toBeInTheDocument();

    await user.click(el('compose-disclosure'));
    expect(el('compose-your-brand')).not.toBeChecked();
    expect(el('compose-branded')).not.toBeChecked();
    expect(scheduleBtn()).toBeDisabled();
    expect(scheduleBtn()).toHaveAttribute('title', DISCLOSURE_HOVER);

    await user.click(el('compose-your-brand'));
    expect(scheduleBtn()).toBeEnabled();
  });

  it('shows the Promotional content / Paid partnership prompts', async () => {
    const { user } = await openComposer();
    await user.click(el('compose-disclosure'));
    expect(screen.queryByTestId('compose-disclosure-label')).not.toBeInTheDocument();
    await user.click(el('compose-your-brand'));
    expect(el('compose-disclosure-label')).toHaveTextContent(
      "Your photo/video will be labeled as 'Promotional content'",
    );
    await user.click(el('compose-branded'));
    expect(el('compose-disclosure-label')).toHaveTextContent(
      "Your photo/video will be labeled as 'Paid partnership'",
    );
    await user.click(el('compose-your-brand'));
    expect(el('compose-disclosure-label')).toHaveTextContent(
      "Your photo/video will be labeled as 'Paid partnership'",
    );
  });

  it('disables "Only me" with the exact hover text when Branded content is checked', async () => {
    const { user } = await openComposer();
    const onlyMe = () => [...privacySelect().options].find((o) => o.value === 'SELF_ONLY')!;
    expect(onlyMe().disabled).toBe(false);
    await user.click(el('compose-disclosure'));
    await user.click(el('compose-branded'));
    expect(onlyMe().disabled).toBe(true);
    expect(onlyMe()).toHaveAttribute('title', ONLY_ME_HOVER);
    const everyone = [...privacySelect().options].find((o) => o.value === 'PUBLIC_TO_EVERYONE')!;
    expect(everyone.disabled).toBe(false);
  });

  it('disables Branded content, explaining why, when "Only me" is chosen', async () => {
    const { user } = await openComposer();
    await user.selectOptions(privacySelect(), 'SELF_ONLY');
    await user.click(el('compose-disclosure'));
    expect(el('compose-branded')).toBeDisabled();
    expect(el('compose-branded-why')).toHaveTextContent('Branded content cannot be private');
    expect(el('compose-your-brand')).toBeEnabled();
  });

  it('switches the consent declaration for branded content', async () => {
    const { user } = await openComposer();
    expect(el('compose-consent').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      "By posting, you agree to TikTok's Music Usage Confirmation",
    );
    await user.click(el('compose-disclosure'));
    await user.click(el('compose-your-brand'));
    expect(el('compose-consent').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      "By posting, you agree to TikTok's Music Usage Confirmation",
    );
    await user.click(el('compose-branded'));
    expect(el('compose-consent').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation.",
    );
    expect(el('compose-consent-links')).toHaveTextContent('bc-policy');
    // Plain text, not links: nothing can navigate the webview.
    expect(el('compose-consent').querySelector('a')).toBeNull();
    // The declaration sits directly above the schedule button.
    expect(el('compose-consent').closest('.consent')?.nextElementSibling).toContainElement(
      scheduleBtn(),
    );
  });
});
