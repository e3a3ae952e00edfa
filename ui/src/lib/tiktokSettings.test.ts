import { describe, expect, it } from 'vitest';
import type { TiktokConfigDto } from './bindings';
import {
  configPatch,
  knownScopes,
  REDIRECT_URIS,
  uriToRegister,
  type TiktokForm,
} from './tiktokSettings';

const config = {
  clientKey: 'abc',
  hasSecret: true,
  scopes: ['user.info.basic', 'video.upload'],
  defaultScopes: ['user.info.basic', 'video.publish', 'video.upload'],
  redirectMode: 'loopback',
  redirectUriToRegister: 'http://127.0.0.1:4321/callback/',
  directPostAudit: 'unknown',
} as unknown as TiktokConfigDto;

const same = (over: Partial<TiktokForm> = {}): TiktokForm => ({
  clientKey: 'abc',
  secret: '',
  scopes: ['video.upload', 'user.info.basic'],
  redirectMode: 'loopback',
  audit: 'unknown',
  ...over,
});

describe('TikTok app settings rules', () => {
  it('offers the default scopes, then the others asked for', () => {
    expect(knownScopes(null)).toEqual([]);
    expect(knownScopes({ ...config, scopes: ['video.list', 'user.info.basic'] })).toEqual([
      'user.info.basic',
      'video.publish',
      'video.upload',
      'video.list',
    ]);
  });

  it("shows the engine's URI for the saved mode, the generic one otherwise", () => {
    expect(uriToRegister(config, 'loopback')).toBe('http://127.0.0.1:4321/callback/');
    expect(uriToRegister(config, 'deep_link')).toBe(REDIRECT_URIS.deep_link);
    expect(uriToRegister(null, 'loopback')).toBe(REDIRECT_URIS.loopback);
  });

  it('sends nothing when nothing changed (scope order does not matter)', () => {
    expect(configPatch(config, same())).toEqual({});
    expect(configPatch(null, same({ clientKey: 'x' }))).toEqual({});
  });

  it('sends only what changed', () => {
    expect(configPatch(config, same({ clientKey: '  new  ' }))).toEqual({ clientKey: 'new' });
    expect(configPatch(config, same({ secret: ' s3 ' }))).toEqual({ clientSecret: ' s3 ' });
    expect(configPatch(config, same({ secret: '   ' }))).toEqual({});
    expect(configPatch(config, same({ redirectMode: 'deep_link' }))).toEqual({
      redirectMode: 'deep_link',
    });
    expect(configPatch(config, same({ audit: 'not_audited' }))).toEqual({
      directPostAudit: 'not_audited',
    });
  });

  it('sends the scopes in the offered order', () => {
    expect(
      configPatch(config, same({ scopes: ['video.upload', 'video.publish', 'user.info.basic'] })),
    ).toEqual({ scopes: ['user.info.basic', 'video.publish', 'video.upload'] });
  });

  it('an empty key (demo mode) differs from a saved key', () => {
    expect(configPatch(config, same({ clientKey: '' }))).toEqual({ clientKey: '' });
    expect(configPatch({ ...config, clientKey: null }, same({ clientKey: '' }))).toEqual({});
  });
});
