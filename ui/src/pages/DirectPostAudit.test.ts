import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import type { TiktokConfigDto } from '../lib/bindings';
import type { CreatorInfoDto } from '../lib/posts';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, makeCreator, makeFacts, mockBackend } from '../test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

const OWN_APP = { clientKey: 'awkey123', hasSecret: true } as const;
const PRIVATE_OPTIONS = ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];

describe('Settings → TikTok app: Direct Post audit', () => {
  async function openTiktok(tiktok: Partial<TiktokConfigDto>) {
    const backend = mockBackend({ tiktok });
    window.location.hash = '#/settings';
    render(App);
    await screen.findByTestId('app-ready');
    const section = within(await screen.findByTestId('tiktok-settings'));
    const select = (await section.findByTestId('tiktok-audit')) as HTMLSelectElement;
    return { backend, section, select, user: userEvent.setup() };
  }

  it("shows a real app's stored state, explains the rules and saves only the change", async () => {
    const { backend, section, select, user } = await openTiktok(OWN_APP);
    expect(select.value).toBe('unknown');
    expect([...select.options].map((o) => o.value)).toEqual(['audited', 'not_audited', 'unknown']);
    const help = section.getByTestId('tiktok-audit-help');
    expect(help).toHaveTextContent('“Only me”');
    expect(help).toHaveTextContent('private accounts');
    expect(help).toHaveTextContent('5 accounts a day');
    expect(help).toHaveTextContent('Content Posting API → Direct Post');
    expect(section.getByTestId('tiktok-save')).toBeDisabled();

    await user.selectOptions(select, 'not_audited');
    await user.click(section.getByTestId('tiktok-save'));
    expect(backend.calls('update_tiktok_config')).toEqual([
      { patch: { directPostAudit: 'not_audited' } },
    ]);
    await waitFor(() => expect(section.getByTestId('tiktok-save')).toBeDisabled());
    expect(select.value).toBe('not_audited');
  });

  it("in demo mode shows the simulator's state, without 'I don't know'", async () => {
    const { backend, section, select, user } = await openTiktok({});
    expect(section.getByTestId('tiktok-mode')).toHaveTextContent('Demo');
    expect(select.value).toBe('audited');
    expect([...select.options].map((o) => o.value)).toEqual(['audited', 'not_audited']);
    expect(section.getByTestId('tiktok-audit-help')).toHaveTextContent('simulated app');
    await user.selectOptions(select, 'not_audited');
    await user.click(section.getByTestId('tiktok-save'));
    expect(backend.calls('update_tiktok_config')).toEqual([
      { patch: { directPostAudit: 'not_audited' } },
    ]);
  });
});

describe('composer: the app is not audited', () => {
  async function openComposer(tiktok: Partial<TiktokConfigDto>, creator?: Partial<CreatorInfoDto>) {
    const backend = mockBackend({
      tiktok,
      accounts: [makeAccount({ id: 1, displayName: 'Main' })],
      creators: { 1: makeCreator(creator) },
    });
    backend.files['/videos/clip.mp4'] = { facts: makeFacts(), violations: [], error: null };
    backend.setPick(['/videos/clip.mp4']);
    window.location.hash = '#/compose';
    render(App);
    await screen.findByTestId('app-ready');
    const user = userEvent.setup();
    const account = (await screen.findByTestId('compose-account')) as HTMLSelectElement;
    await waitFor(() => expect(account.options.length).toBeGreaterThan(1));
    await user.selectOptions(account, '1');
    await user.click(screen.getByTestId('compose-choose-files'));
    await screen.findByTestId('composer');
    await screen.findByTestId('compose-creator-nickname');
    return { backend, user };
  }

  const privacy = () => screen.getByTestId('compose-privacy') as HTMLSelectElement;

  it("notes the rule above the privacy select, keeps creator_info's options and warns on a wider audience", async () => {
    const { user } = await openComposer(
      { ...OWN_APP, directPostAudit: 'not_audited' },
      { privacyLevelOptions: PRIVATE_OPTIONS },
    );
    const note = screen.getByTestId('compose-audit-note');
    expect(note).toHaveTextContent('Your TikTok app is not audited for Direct Post yet');
    expect(note).toHaveTextContent('only accept “Only me”');
    expect(note).toHaveTextContent('private account');
    // Above the select.
    expect(note.compareDocumentPosition(privacy()) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    // Exactly creator_info's options, no default.
    expect([...privacy().options].map((o) => o.value)).toEqual(['', ...PRIVATE_OPTIONS]);
    expect(privacy().value).toBe('');
    expect(screen.queryByTestId('compose-audit-warning')).not.toBeInTheDocument();
    expect(screen.queryByTestId('compose-audit-public')).not.toBeInTheDocument();

    await user.selectOptions(privacy(), 'FOLLOWER_OF_CREATOR');
    const warning = screen.getByTestId('compose-audit-warning');
    expect(warning).toHaveTextContent('refuse');
    expect(warning).toHaveTextContent('“Only me” instead');

    await user.selectOptions(privacy(), 'SELF_ONLY');
    expect(screen.queryByTestId('compose-audit-warning')).not.toBeInTheDocument();

    // Inbox posts are not subject to the audit.
    await user.click(screen.getByTestId('compose-mode-inbox'));
    expect(screen.queryByTestId('compose-audit-note')).not.toBeInTheDocument();
  });

  it('says a public account is refused (creator_info offers "Everyone" only to public ones)', async () => {
    await openComposer({ ...OWN_APP, directPostAudit: 'not_audited' });
    expect(screen.getByTestId('compose-audit-public')).toHaveTextContent('This account is public');
  });

  it('an unknown state of a real app says "if", without the audience warning', async () => {
    const { user } = await openComposer({ ...OWN_APP, directPostAudit: 'unknown' });
    expect(screen.getByTestId('compose-audit-note')).toHaveTextContent(
      'If your TikTok app is not audited for Direct Post yet',
    );
    await user.selectOptions(privacy(), 'PUBLIC_TO_EVERYONE');
    expect(screen.queryByTestId('compose-audit-warning')).not.toBeInTheDocument();
    expect(screen.queryByTestId('compose-audit-public')).not.toBeInTheDocument();
  });

  it('says nothing for an audited app (and for the demo simulator, audited by default)', async () => {
    const { user } = await openComposer({ ...OWN_APP, directPostAudit: 'audited' });
    await user.selectOptions(privacy(), 'PUBLIC_TO_EVERYONE');
    expect(screen.queryByTestId('compose-audit-note')).not.toBeInTheDocument();
    expect(screen.queryByTestId('compose-audit-warning')).not.toBeInTheDocument();
    cleanup();
    clearMocks();
    await openComposer({});
    expect(screen.queryByTestId('compose-audit-note')).not.toBeInTheDocument();
  });
});
