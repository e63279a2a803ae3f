// `augur simulate` flags: parsed and validated here; the site to simulate comes from the flags
// or from ${DATA_DIR}/demo.json, which the server writes when it starts.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { SimulationOptions } from './run.js';

export const SIMULATE_USAGE = `Usage: augur simulate [--visitors N] [--rate R] [--days D] [options]

Sends realistic synthetic traffic through the real HTTP ingest API and writes the ground truth
(one JSON line per session: intent, pages, outcome, survey answer) so models can be scored.

  --visitors N          visitors to simulate (default 100)
  --rate R              live: visitors arriving per second, e.g. 5 or 5/s (default 5)
                        backfill: requests per second (default 100)
  --days D              backfill: spread visits over the past D days (≤ 365); needs an API key
  --speed X             live: play sessions X times faster than real time (default 1)
  --seed S              random seed (default: a new one, printed): the same seed gives the same
                        visitors, ids included, so a rerun with it adds nothing new
  --survey-fraction F   share of consenting visitors who answer "what brings you here" (default 0.2)
  --reject-fraction F   share of visitors who reject consent: cookieless page views only (default 0.25)
  --truth FILE          ground-truth JSONL (default $DATA_DIR/simulations/truth-<time>.jsonl)
  --url URL             the Augur server (default $PUBLIC_URL or http://localhost:8080)
  --site pk_…           the site's public key      } default: from $DATA_DIR/demo.json,
  --origin URL          an allowed origin of it    } written by the server on start
  --api-key ak_…        an API key of the site     }
  --concurrency N       requests in flight at most (default 64)`;

export type ParsedSimulateArgs = { options: SimulationOptions } | { help: true } | { error: string };

interface DemoSite { site_key?: unknown; origin?: unknown; api_key?: unknown }

/** Reads ${dataDir}/demo.json if it is there; a broken file is an error, a missing one is not. */
function readDemo(dataDir: string): DemoSite | undefined {
  const file = path.join(dataDir, 'demo.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DemoSite;
  } catch {
    throw new Error(`${file} is not valid JSON; restart the server to rewrite it, or pass --site and --origin`);
  }
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function number(name: string, raw: string | undefined, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/\/s$/, ''));
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new Error(`--${name} must be ${rule}, got "${raw}"`);
  return n;
}

function origin(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--${name} must be a URL like http://localhost:8080, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--${name} must use http or https, got "${raw}"`);
  return name === 'origin' ? url.origin : raw.replace(/\/+$/, '');
}

export function parseSimulateArgs(args: string[], config: Pick<Config, 'dataDir' | 'publicUrl'>, now: () => number = Date.now): ParsedSimulateArgs {
  try {
    return parse(args, config, now);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function parse(args: string[], config: Pick<Config, 'dataDir' | 'publicUrl'>, now: () => number): ParsedSimulateArgs {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      visitors: { type: 'string' }, rate: { type: 'string' }, days: { type: 'string' }, speed: { type: 'string' }, seed: { type: 'string' },
      'survey-fraction': { type: 'string' }, 'reject-fraction': { type: 'string' }, truth: { type: 'string' },
      url: { type: 'string' }, site: { type: 'string' }, origin: { type: 'string' }, 'api-key': { type: 'string' },
      concurrency: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  if (positionals.length > 0) throw new Error(`simulate takes no positional arguments, got "${positionals.join(' ')}"`);

  const positive = (n: number) => n > 0;
  const fraction = (n: number) => n >= 0 && n <= 1;
  const visitors = number('visitors', values.visitors, 100, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000_000, 'a whole number from 1 to 10,000,000');
  const days = values.days === undefined ? undefined : number('days', values.days, 0, (n) => n > 0 && n <= 365, 'a number of days above 0 and at most 365');
  const rate = number('rate', values.rate, days === undefined ? 5 : 100, positive, 'a positive number (per second)');
  const speed = number('speed', values.speed, 1, (n) => n >= 1 && n <= 1_000_000, 'a number ≥ 1');
  const concurrency = number('concurrency', values.concurrency, 64, (n) => Number.isInteger(n) && n >= 1 && n <= 1024, 'a whole number from 1 to 1024');
  const surveyFraction = number('survey-fraction', values['survey-fraction'], 0.2, fraction, 'between 0 and 1');
  const rejectFraction = number('reject-fraction', values['reject-fraction'], 0.25, fraction, 'between 0 and 1');
  if (values.speed !== undefined && days !== undefined) throw new Error('--speed applies to live runs only; leave it out with --days');
  // A fresh seed by default: reusing one replays the same event ids (stored once).
  const seed = values.seed ?? String(Math.floor(Math.random() * 1e9));
  if (seed.length > 100) throw new Error('--seed must be at most 100 characters');

  const url = origin('url', values.url ?? config.publicUrl);
  const demo = values.site && values.origin && (values['api-key'] || days === undefined) ? undefined : readDemo(config.dataDir);
  const site = values.site ?? str(demo?.site_key);
  const siteOrigin = values.origin ?? str(demo?.origin);
  if (!site || !siteOrigin) {
    const where = path.join(config.dataDir, 'demo.json');
    throw new Error(`No site to simulate: ${where} does not exist. Start the server first (npm start) or pass --site and --origin`);
  }
  if (!/^pk_[A-Za-z0-9_-]{8,64}$/.test(site)) throw new Error(`--site must be a public site key like pk_…, got "${site}"`);
  const apiKey = values['api-key'] ?? str(demo?.api_key);
  if (apiKey !== undefined && !apiKey.startsWith('ak_')) throw new Error('--api-key must be an API key like ak_…');
  if (days !== undefined && !apiKey) {
    throw new Error('--days (backfill) needs an API key of the site: only API-key requests may carry timestamps older than 24 hours. Pass --api-key ak_… or start the server so it writes demo.json');
  }
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  return {
    options: {
      url,
      site,
      origin: origin('origin', siteOrigin),
      // Live traffic poses as browsers (Origin only); backfill needs the key for its old timestamps.
      apiKey: days !== undefined ? apiKey : undefined,
      visitors,
      rate,
      days,
      speed,
      seed,
      surveyFraction,
      rejectFraction,
      truthFile: path.resolve(values.truth ?? path.join(config.dataDir, 'simulations', `truth-${stamp}.jsonl`)),
      concurrency,
    },
  };
}
