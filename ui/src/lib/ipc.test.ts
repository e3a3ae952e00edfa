import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { commands } from './bindings';
import { attempt, call, inTauri, isUiError, NOT_IN_TAURI, toUiError } from './ipc';

afterEach(() => clearMocks());

describe('isUiError / toUiError', () => {
  it('recognises only well-formed UiErrors', () => {
    expect(isUiError({ code: 'storage', message: 'Disk full' })).toBe(true);
    expect(isUiError({ code: 'nope', message: 'x' })).toBe(false);
    expect(isUiError({ code: 'storage' })).toBe(false);
    expect(isUiError('storage')).toBe(false);
    expect(isUiError(null)).toBe(false);
  });

  it('normalises anything thrown', () => {
    expect(toUiError({ code: 'tiktok', message: 'Rate limited', extra: 1 })).toEqual({
      code: 'tiktok',
      message: 'Rate limited',
    });
    expect(toUiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toUiError('plain string')).toEqual({ code: 'internal', message: 'plain string' });
    expect(toUiError(undefined)).toEqual({ code: 'internal', message: 'Something went wrong' });
  });
});

describe('call', () => {
  it('rejects with "Not running inside Tokdeck" outside Tauri', async () => {
    expect(inTauri()).toBe(false);
    await expect(call(commands.appInfo)).rejects.toEqual(NOT_IN_TAURI);
    expect(NOT_IN_TAURI.message).toBe('Not running inside Tokdeck');
  });

  it('resolves with the command result', async () => {
    mockIPC((cmd) => (cmd === 'get_settings' ? { theme: 'dark' } : null));
    expect(inTauri()).toBe(true);
    await expect(call(commands.getSettings)).resolves.toEqual({ theme: 'dark' });
  });

  it('passes a UiError rejection through and normalises other rejections', async () => {
    mockIPC((cmd) => {
      if (cmd === 'get_settings') throw { code: 'not_found', message: 'No settings' };
      throw new TypeError('bad');
    });
    await expect(call(commands.getSettings)).rejects.toEqual({
      code: 'not_found',
      message: 'No settings',
    });
    await expect(call(commands.appInfo)).rejects.toEqual({ code: 'internal', message: 'bad' });
  });

  it('attempt never rejects', async () => {
    mockIPC(() => {
      throw { code: 'keychain', message: 'Locked' };
    });
    expect(await attempt(commands.openLogsFolder)).toEqual({
      ok: false,
      error: { code: 'keychain', message: 'Locked' },
    });
  });
});
