import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from './cli.js';

describe('augur train arguments', () => {
  it('defaults to visit reasons on every site with a 60 s budget', () => {
    expect(parseTrainArgs(['intent'])).toEqual({ siteId: undefined, task: 'visit_reason', budgetSeconds: 60, seed: 42, maxTrials: undefined });
    expect(parseTrainArgs(['intent', '--site', 's1', '--task', 'conversion', '--budget-seconds', '5', '--seed', '0', '--max-trials', '3'])).toEqual({ siteId: 's1', task: 'conversion', budgetSeconds: 5, seed: 0, maxTrials: 3 });
  });

  it('refuses what it cannot use, with a message', () => {
    for (const args of [[], ['leads'], ['intent', '--task', 'reasons'], ['intent', '--budget-seconds', '0'], ['intent', '--budget-seconds', '1.5'], ['intent', '--max-trials', '999'], ['intent', '--unknown']]) {
      expect(typeof parseTrainArgs(args), args.join(' ')).toBe('string');
    }
  });
});
