/**
 * Fake Tokdeck backend for unit tests, built on Tauri's sanctioned `mockIPC`.
 *
 *     const backend = mockBackend({ info: { tiktokMode: 'tiktok' } });
 *     backend.handlers.update_settings = () => { throw { code: 'storage', message: 'Disk full' } };
 *     expect(backend.calls('update_settings')).toEqual([{ patch: … }]);
 */
import { mockIPC } from '@tauri-apps/api/mocks';
import type { InvokeArgs } from '@tauri-apps/api/core';
import type { AppInfo, Settings, SettingsPatch } from '../lib/bindings';

export const DEFAULT_INFO: AppInfo = {
  version: '0.1.0-test',
  dataDir: '/home/test/.local/share/tokdeck',
  logDir: '/home/test/.local/share/tokdeck/logs',
  tiktokMode: 'simulator',
  simulatorUrl: 'http://127.0.0.1:4790',
  trayAvailable: true,
  startupError: null,
};

export const DEFAULT_SETTINGS: Settings = {
  notificationsEnabled: true,
  launchAtLogin: false,
  publishingPaused: false,
  theme: 'system',
};

type Handler = (args: InvokeArgs | undefined) => unknown;

export function mockBackend(opts: { info?: Partial<AppInfo>; settings?: Partial<Settings> } = {}) {
  const info: AppInfo = { ...DEFAULT_INFO, ...opts.info };
  let settings: Settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  const log: { cmd: string; args: InvokeArgs | undefined }[] = [];

  const handlers: Record<string, Handler> = {
    app_info: () => info,
    get_settings: () => settings,
    update_settings: (args) => {
      const patch = (args as { patch: SettingsPatch }).patch;
      const next = { ...settings };
      for (const [k, v] of Object.entries(patch)) {
        if (v !== null) Object.assign(next, { [k]: v });
      }
      settings = next;
      return settings;
    },
    open_logs_folder: () => null,
  };

  mockIPC(
    (cmd, args) => {
      log.push({ cmd, args });
      const handler = handlers[cmd];
      if (!handler) throw { code: 'internal', message: `unmocked command ${cmd}` };
      return handler(args);
    },
    { shouldMockEvents: true },
  );

  return {
    handlers,
    calls: (cmd: string) => log.filter((c) => c.cmd === cmd).map((c) => c.args),
    get settings() {
      return settings;
    },
  };
}

/** A promise you resolve / reject from the outside (to hold a command "in flight"). */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
