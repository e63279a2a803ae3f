import { describe, expect, it } from 'vitest';
import { cookielessVisitorId, deviceFacts, truncateIp } from './identity.js';

describe('truncateIp', () => {
  it('keeps the /24 of IPv4 and the /48 of IPv6', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIp('::ffff:198.51.100.9')).toBe('198.51.100.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(truncateIp('2001:db8::1')).toBe('2001:db8:0::');
    expect(truncateIp('::1')).toBe('0:0:0::');
  });
  it('never returns its input for garbage', () => {
    expect(truncateIp('not an ip')).toBe('0.0.0.0');
  });
});

describe('cookielessVisitorId', () => {
  const ua = 'Mozilla/5.0 Chrome/130';
  it('is stable within a day and network, and differs across salts (days), sites and networks', () => {
    const a = cookielessVisitorId('salt-1', 'site-a', '203.0.113.5', ua);
    expect(cookielessVisitorId('salt-1', 'site-a', '203.0.113.200', ua)).toBe(a); // same /24
    expect(cookielessVisitorId('salt-2', 'site-a', '203.0.113.5', ua)).not.toBe(a);
    expect(cookielessVisitorId('salt-1', 'site-b', '203.0.113.5', ua)).not.toBe(a);
    expect(cookielessVisitorId('salt-1', 'site-a', '203.0.114.5', ua)).not.toBe(a);
    expect(a).toMatch(/^c_[A-Za-z0-9_-]{22}$/);
  });
});

describe('deviceFacts', () => {
  it('reads device, browser and OS from common User-Agents', () => {
    expect(deviceFacts('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toEqual({ device_type: 'mobile', browser: 'Safari', os: 'iOS' });
    expect(deviceFacts('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1')).toMatchObject({ device_type: 'tablet', os: 'iOS' });
    expect(deviceFacts('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36')).toEqual({ device_type: 'mobile', browser: 'Chrome', os: 'Android' });
    expect(deviceFacts('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0')).toEqual({ device_type: 'desktop', browser: 'Edge', os: 'Windows' });
    expect(deviceFacts('Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:131.0) Gecko/20100101 Firefox/131.0')).toEqual({ device_type: 'desktop', browser: 'Firefox', os: 'macOS' });
  });
  it('lets UA client hints win', () => {
    expect(deviceFacts('Mozilla/5.0 (X11; Linux x86_64) Chrome/130', { ua_mobile: true, ua_platform: 'Android' })).toMatchObject({ device_type: 'mobile', os: 'Android' });
  });
});
