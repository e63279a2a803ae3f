import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimulateArgs } from './options.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-sim-opts-'));
const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-sim-empty-'));
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(emptyDir, { recursive: true, force: true });
});
fs.writeFileSync(path.join(dataDir, 'demo.json'), JSON.stringify({ site_id: 'x', site_key: 'pk_demo_key_123456', origin: 'http://localhost:8080', api_key: 'ak_abc_def' }));
const config = { dataDir, publicUrl: 'http://localhost:8080' };
const NOW = () => Date.parse('2026-05-01T12:00:00.000Z');

const ok = (args: string[], cfg = config) => {
  const parsed = parseSimulateArgs(args, cfg, NOW);
  if (!('options' in parsed)) throw new Error(JSON.stringify(parsed));
  return parsed.options;
};
const error = (args: string[], cfg = config) => {
  const parsed = parseSimulateArgs(args, cfg, NOW);
  return 'error' in parsed ? parsed.error : undefined;
};

describe('simulate options', () => {
  it('defaults from demo.json and the configuration', () => {
    const o = ok([]);
    expect(o).toMatchObject({ url: 'http://localhost:8080', site: 'pk_demo_key_123456', origin: 'http://localhost:8080', visitors: 100, rate: 5, speed: 1, seed: expect.stringMatching(/^\d+$/), surveyFraction: 0.2, rejectFraction: 0.25, concurrency: 64 });
    expect(o.days).toBeUndefined();
    // Live traffic poses as browsers: no API key even though demo.json has one.
    expect(o.apiKey).toBeUndefined();
    expect(o.truthFile).toBe(path.join(dataDir, 'simulations', 'truth-2026-05-01T12-00-00-000Z.jsonl'));
  });

  it('backfill takes the API key and defaults to a faster request rate', () => {
    const o = ok(['--days', '30', '--visitors', '5000', '--seed', 'abc']);
    expect(o).toMatchObject({ days: 30, apiKey: 'ak_abc_def', rate: 100, visitors: 5000, seed: 'abc' });
    expect(ok(['--days', '1', '--rate', '20/s']).rate).toBe(20);
  });

  it('lets flags override demo.json', () => {
    const o = ok(['--url', 'https://augur.example.com/', '--site', 'pk_other_site_1', '--origin', 'https://shop.example.com/path', '--truth', 'out.jsonl', '--rate', '2.5/s', '--speed', '10']);
    expect(o).toMatchObject({ url: 'https://augur.example.com', site: 'pk_other_site_1', origin: 'https://shop.example.com', rate: 2.5, speed: 10 });
    expect(o.truthFile).toBe(path.resolve('out.jsonl'));
    expect(ok(['--site', 'pk_other_site_1', '--origin', 'https://a.example'], { dataDir: emptyDir, publicUrl: 'http://localhost:8080' }).site).toBe('pk_other_site_1');
  });

  it('refuses bad values with a message naming the flag', () => {
    expect(error(['--visitors', '0'])).toMatch(/--visitors/);
    expect(error(['--visitors', '1.5'])).toMatch(/--visitors/);
    expect(error(['--rate', '-1'])).toMatch(/--rate/);
    expect(error(['--rate', 'fast'])).toMatch(/--rate/);
    expect(error(['--days', '500'])).toMatch(/--days/);
    expect(error(['--survey-fraction', '1.5'])).toMatch(/--survey-fraction/);
    expect(error(['--reject-fraction', 'x'])).toMatch(/--reject-fraction/);
    expect(error(['--speed', '0'])).toMatch(/--speed/);
    expect(error(['--days', '2', '--speed', '5'])).toMatch(/live runs only/);
    expect(error(['--url', 'ftp://x'])).toMatch(/--url/);
    expect(error(['--site', 'nope'])).toMatch(/--site/);
    expect(error(['--bogus'])).toMatch(/bogus/);
    expect(error(['extra'])).toMatch(/positional/);
  });

  it('says how to get a site when there is none', () => {
    const cfg = { dataDir: emptyDir, publicUrl: 'http://localhost:8080' };
    expect(error([], cfg)).toMatch(/start the server first \(npm start\) or pass --site and --origin/i);
    expect(error(['--days', '3', '--site', 'pk_other_site_1', '--origin', 'https://a.example'], cfg)).toMatch(/--days .* needs an API key/);
  });

  it('answers --help', () => {
    expect(parseSimulateArgs(['--help'], config)).toEqual({ help: true });
  });
});
