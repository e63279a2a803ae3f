import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { log: pino(loggerOptions('info'), stream), text: () => lines.join('') };
}

describe('logger', () => {
  it('drops the values a database error carries, keeping its message and code', () => {
    const { log, text } = capture();
    const err = Object.assign(new Error('duplicate key value violates unique constraint "idx_users_email"'), {
      code: '23505',
      detail: 'Key (lower(email::text))=(jane.doe@example.com) already exists.',
      where: 'SQL statement with jane.doe@example.com',
    });
    log.error({ err }, 'request failed');
    expect(text()).toContain('23505');
    expect(text()).toContain('idx_users_email');
    expect(text()).not.toContain('jane.doe@example.com');
  });

  it('redacts secrets and personal fields at any depth we log', () => {
    const { log, text } = capture();
    log.info({ body: { email: 'a@b.example', password: 'pw-123456', nested: { refresh_token: 'rt_x' } }, token: 'tok' }, 'x');
    for (const secret of ['a@b.example', 'pw-123456', 'rt_x', '"tok"']) expect(text()).not.toContain(secret);
    expect(text()).toContain('[redacted]');
  });
});
