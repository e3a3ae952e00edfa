import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import { ENGINE_EVENT, type EngineEvent } from './lib/bindings';
import { toasts } from './lib/toasts.svelte';
import { mockBackend } from './test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup(); // unmount (and unlisten) while the IPC mock still exists
  clearMocks();
  toasts.clear();
  vi.useRealTimers();
});

async function renderReady() {
  const result = render(App);
  await screen.findByTestId('app-ready');
  return result;
}

describe('navigation', () => {
  it('starts on Accounts and switches pages, updating the hash and aria-current', async () => {
    mockBackend();
    await renderReady();
    const user = userEvent.setup();

    expect(screen.getByTestId('page-accounts')).toBeInTheDocument();
    expect(screen.getByTestId('nav-accounts')).toHaveAttribute('aria-current', 'page');

    for (const page of ['compose', 'calendar', 'queue', 'settings', 'accounts']) {
      await user.click(screen.getByTestId(`nav-${page}`));
      expect(await screen.findByTestId(`page-${page}`)).toBeInTheDocument();
      expect(window.location.hash).toBe(`#/${page}`);
      expect(screen.getByTestId(`nav-${page}`)).toHaveAttribute('aria-current', 'page');
      expect(screen.getAllByRole('link', { current: 'page' })).toHaveLength(1);
      expect(document.querySelectorAll('[data-testid^="page-"]')).toHaveLength(1);
    }
  });

  it('opens each page at its top, not where the last page was scrolled', async () => {
    mockBackend();
    await renderReady();
    const user = userEvent.setup();
    const main = document.getElementById('main')!;
    main.scrollTop = 400;
    await user.click(screen.getByTestId('nav-settings'));
    expect(await screen.findByTestId('page-settings')).toBeInTheDocument();
    expect(main.scrollTop).toBe(0);
  });

  it('opens the page named by the hash (reload keeps the page) and follows hash changes', async () => {
    mockBackend();
    window.location.hash = '#/queue';
    await renderReady();
    // The queue loads from the engine, then says it is empty.
    await waitFor(() =>
      expect(screen.getByTestId('page-queue')).toHaveTextContent('Nothing scheduled yet'),
    );

    window.location.hash = '#/calendar';
    expect(await screen.findByTestId('page-calendar')).toBeInTheDocument();
    expect(screen.queryByTestId('page-queue')).not.toBeInTheDocument();
  });

  it('is keyboard accessible: nav items are links reachable with Tab and activated with Enter', async () => {
    mockBackend();
    await renderReady();
    const user = userEvent.setup();
    screen.getByTestId('nav-accounts').focus();
    await user.tab();
    expect(screen.getByTestId('nav-compose')).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(await screen.findByTestId('page-compose')).toHaveTextContent('Drop videos here');
  });

  it('falls back to Accounts for an unknown hash', async () => {
    mockBackend();
    window.location.hash = '#/nope';
    await renderReady();
    expect(screen.getByTestId('page-accounts')).toBeInTheDocument();
  });
});

describe('header', () => {
  it('shows the demo badge in simulator mode, with an explanation', async () => {
    mockBackend({ info: { tiktokMode: 'simulator' } });
    await renderReady();
    const badge = screen.getByTestId('mode-badge');
    expect(badge).toHaveTextContent(/^Demo — simulated TikTok$/);
    expect(badge.getAttribute('title')).toMatch(/No TikTok credentials.*simulator/);
  });

  it('has no badge in real TikTok mode', async () => {
    mockBackend({ info: { tiktokMode: 'tiktok', simulatorUrl: null } });
    await renderReady();
    expect(screen.queryByTestId('mode-badge')).not.toBeInTheDocument();
  });

  it('has a disabled account switcher while no account is connected', async () => {
    mockBackend();
    await renderReady();
    expect(screen.getByRole('button', { name: /No account/ })).toBeDisabled();
  });
});

describe('empty states', () => {
  it('Accounts offers a working connect button', async () => {
    const backend = mockBackend();
    await renderReady();
    const button = await within(screen.getByTestId('page-accounts')).findByRole('button', {
      name: 'Connect your first TikTok account',
    });
    expect(button).toBeEnabled();
    await userEvent.setup().click(button);
    expect(backend.calls('connect_account')).toHaveLength(1);
    expect(await screen.findByTestId('pending-connect')).toHaveTextContent('Waiting for TikTok…');
  });

  it('Calendar shows the current month (system clock) with today marked', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2025, 10, 23, 9, 0)); // 23 Nov 2025, local time
    mockBackend();
    window.location.hash = '#/calendar';
    await renderReady();
    const page = screen.getByTestId('page-calendar');
    expect(within(page).getAllByTestId('calendar-day')).toHaveLength(30);
    const today = page.querySelector('[aria-current="date"]');
    expect(today).toHaveAttribute('data-date', '2025-11-23');
    expect(screen.getByTestId('calendar-month')).toHaveTextContent('2025');
  });
});

describe('outside Tauri', () => {
  it('renders the shell with a "Not running inside Tokdeck" banner instead of crashing', async () => {
    clearMocks();
    render(App);
    expect(await screen.findByTestId('error-banner')).toHaveTextContent(
      'Not running inside Tokdeck',
    );
    expect(await screen.findByTestId('page-accounts')).toBeInTheDocument();
    expect(screen.queryByTestId('app-ready')).not.toBeInTheDocument();
  });
});

describe('startup error', () => {
  it('shows only the startup error and what to do when the engine could not start', async () => {
    const message =
      'The database /data/tokdeck.sqlite3 is not a Tokdeck database or is damaged. Tokdeck left it untouched; move it aside or restore a backup, then start again.';
    const backend = mockBackend({
      info: { dataDir: '/data', startupError: { code: 'storage', message } },
    });
    backend.handlers.get_settings = () => {
      throw { code: 'storage', message };
    };
    await renderReady();
    const screenEl = screen.getByTestId('startup-error');
    expect(screenEl).toHaveTextContent('left it untouched');
    expect(screenEl).toHaveTextContent('/data');
    expect(screenEl.textContent).not.toMatch(/storage|Error code/);
    expect(screen.queryByTestId('nav-accounts')).not.toBeInTheDocument();
    expect(screen.queryByTestId('page-accounts')).not.toBeInTheDocument();
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();

    await userEvent.setup().click(within(screenEl).getByTestId('open-logs'));
    expect(backend.calls('open_logs_folder')).toHaveLength(1);
  });

  it('shows the normal shell when startupError is null', async () => {
    mockBackend({ info: { startupError: null } });
    await renderReady();
    expect(screen.queryByTestId('startup-error')).not.toBeInTheDocument();
    expect(screen.getByTestId('page-accounts')).toBeInTheDocument();
  });
});

describe('engine events', () => {
  const send = (payload: EngineEvent) => emit(ENGINE_EVENT, payload);

  it('turns notices and deep links into toasts', async () => {
    mockBackend();
    await renderReady();

    await send({ kind: 'notice', level: 'warning', message: 'Token expires soon' });
    const notice = await screen.findByTestId('toast');
    expect(notice).toHaveTextContent('Token expires soon');
    expect(notice).toHaveAttribute('data-level', 'warning');

    await send({
      kind: 'deepLink',
      url: 'tokdeck://oauth/callback?code=x',
      handled: false,
      detail: 'Unknown link',
    });
    await waitFor(() => expect(screen.getAllByTestId('toast')).toHaveLength(2));
    expect(screen.getAllByTestId('toast')[1]).toHaveTextContent('Unknown link');

    await send({ kind: 'deepLink', url: 'tokdeck://focus', handled: true, detail: 'Window shown' });
    // Two show, the newest last; the oldest is counted in "+1 more".
    await waitFor(() => expect(screen.getByTestId('toast-more')).toHaveTextContent('+1 more'));
    const shown = screen.getAllByTestId('toast');
    expect(shown).toHaveLength(2);
    expect(shown[0]).toHaveTextContent('Unknown link');
    expect(shown[1]).toHaveTextContent('tokdeck://focus');
    expect(shown[1]).toHaveAttribute('data-level', 'info');
  });

  it('echoes native notifications as a toast', async () => {
    mockBackend();
    await renderReady();
    await send({
      kind: 'notify',
      notification: 'general',
      title: 'Posted',
      body: 'Clip 3 is live',
    });
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('Posted');
    expect(toast).toHaveTextContent('Clip 3 is live');
  });

  it('keeps settings fresh on settingsChanged', async () => {
    mockBackend({ settings: { publishingPaused: false } });
    window.location.hash = '#/settings';
    await renderReady();
    await waitFor(() => expect(screen.getByTestId('setting-paused')).toBeEnabled());
    expect(screen.getByTestId('setting-paused')).not.toBeChecked();

    await send({
      kind: 'settingsChanged',
      settings: {
        notificationsEnabled: true,
        notifyPublished: true,
        notifyFailed: true,
        notifyNeedsAttention: true,
        notifyMissed: true,
        notifyAccount: true,
        launchAtLogin: false,
        publishingPaused: true,
        theme: 'dark',
        weekStart: 'auto',
      },
    });
    await waitFor(() => expect(screen.getByTestId('setting-paused')).toBeChecked());
    expect(screen.getByTestId('setting-theme')).toHaveValue('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
