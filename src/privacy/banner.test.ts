import { describe, expect, it } from 'vitest';
import { bannerConfig } from './banner.js';

describe('bannerConfig', () => {
  it('defaults to policy version "1", no policy URL and no texts', () => {
    expect(bannerConfig({})).toEqual({ policy_version: '1', policy_url: null, texts: {} });
    expect(bannerConfig(null)).toEqual({ policy_version: '1', policy_url: null, texts: {} });
  });

  it('keeps the site owner’s version, URL and known texts per language', () => {
    const config = bannerConfig({
      privacy: {
        policy_version: 3,
        policy_url: 'https://shop.example/privacy',
        texts: { de: { title: ' Datenschutz ', analytics: 'Statistik', extra: 'x', marketing: 7 }, 'not a lang': { title: 'x' } },
      },
    });
    expect(config).toEqual({ policy_version: '3', policy_url: 'https://shop.example/privacy', texts: { de: { title: 'Datenschutz', analytics: 'Statistik' } } });
  });

  it('refuses policy links that are not http(s)', () => {
    expect(bannerConfig({ privacy: { policy_url: 'javascript:alert(1)' } }).policy_url).toBeNull();
    expect(bannerConfig({ privacy: { policy_url: 'not a url' } }).policy_url).toBeNull();
  });
});
