import { describe, expect, it } from 'vitest';
import { createRng } from '../platform/random.js';
import { compileStrict } from '../platform/validation.js';
import { checkEvent } from '../tracking/ingest.js';
import { INGEST_BODY_LIMIT, TrackEnvelope } from '../tracking/schemas.js';
import { INTENTS, type Intent } from './model.js';
import { buildEnvelope } from './sender.js';
import { FLUSH_AFTER_MS, FLUSH_AT, retimeSession, simulateVisitor, type SimParams, type SimSession, type SimVisitor } from './visitor.js';

const PARAMS: SimParams = { origin: 'http://localhost:8080', surveyFraction: 0.3, rejectFraction: 0.25 };
const START = Date.parse('2026-03-02T10:00:00Z');
const target = { url: 'http://localhost:8080', site: 'pk_demo_site_key_0001', origin: PARAMS.origin };

function population(n: number, seed = 'test', params = PARAMS): SimVisitor[] {
  return Array.from({ length: n }, (_, i) => simulateVisitor(createRng(`${seed}:${i}`), params, START + i * 60_000));
}
const sessionsOf = (visitors: SimVisitor[]) => visitors.flatMap((v) => v.sessions);
const eventsOf = (s: SimSession) => s.batches.flatMap((b) => b.events);
const share = <T>(items: T[], pred: (x: T) => boolean) => items.filter(pred).length / Math.max(1, items.length);

describe('simulated visitors', () => {
  const visitors = population(3000);
  const sessions = sessionsOf(visitors);
  const byIntent = (intent: Intent) => sessions.filter((s) => s.truth.intent === intent);

  it('speak the ingest protocol exactly: every envelope and event passes the server schemas', () => {
    const validEnvelope = compileStrict(TrackEnvelope);
    const ids = new Set<string>();
    for (const session of sessions.slice(0, 600)) {
      for (const batch of session.batches) {
        expect(batch.events.length).toBeGreaterThan(0);
        expect(batch.events.length).toBeLessThanOrEqual(FLUSH_AT);
        const envelope = buildEnvelope(target, session, batch, batch.at);
        expect(validEnvelope(envelope), JSON.stringify(validEnvelope.errors)).toBe(true);
        expect(Buffer.byteLength(JSON.stringify(envelope))).toBeLessThan(INGEST_BODY_LIMIT);
        batch.events.forEach((event, i) => {
          const checked = checkEvent(event, i);
          expect('code' in checked ? `${checked.message} in ${JSON.stringify(event)}` : 'ok').toBe('ok');
          expect(ids.has(event.event_id)).toBe(false);
          ids.add(event.event_id);
        });
        // Sent like web/tracker does: with the last event (20 queued, page leave) or by the 5-second timer.
        expect(batch.at).toBeGreaterThanOrEqual(batch.events.at(-1)!.ts);
        expect(batch.at - batch.events[0]!.ts).toBeLessThanOrEqual(FLUSH_AFTER_MS);
        if (batch.at > batch.events.at(-1)!.ts) expect(batch.at).toBe(batch.events[0]!.ts + FLUSH_AFTER_MS);
        else if (batch.events.length < FLUSH_AT) expect(batch.events.at(-1)!.type).toBe('page_leave');
      }
      const events = eventsOf(session);
      for (let i = 1; i < events.length; i++) expect(events[i]!.ts).toBeGreaterThanOrEqual(events[i - 1]!.ts);
      expect(events.filter((e) => e.type === 'page_view').length).toBe(session.truth.pages.length);
      expect(events.filter((e) => e.type === 'page_leave').length).toBe(session.truth.pages.length);
    }
  });

  it('is reproducible: the same seed gives identical visitors, another seed different ones', () => {
    expect(JSON.stringify(population(50, 'again'))).toBe(JSON.stringify(population(50, 'again')));
    expect(JSON.stringify(population(50, 'again'))).not.toBe(JSON.stringify(population(50, 'other')));
  });

  it('lets intent shape the path: buyers check out, job seekers read careers, researchers read long', () => {
    const reached = (intent: Intent, category: string) => share(byIntent(intent), (s) => s.truth.pages.includes(category as never));
    expect(reached('buy', 'checkout')).toBeGreaterThan(0.2);
    expect(reached('buy', 'checkout')).toBeGreaterThan(5 * reached('jobs', 'checkout') + 0.1);
    expect(reached('jobs', 'careers')).toBeGreaterThan(0.7);
    expect(reached('jobs', 'careers')).toBeGreaterThan(5 * reached('buy', 'careers'));
    expect(reached('support', 'support')).toBeGreaterThan(0.5);
    const purchase = (intent: Intent) => share(byIntent(intent), (s) => s.truth.conversion_type === 'purchase');
    expect(purchase('buy')).toBeGreaterThan(4 * purchase('browse'));
    expect(share(byIntent('jobs'), (s) => s.truth.conversion_type === 'apply')).toBeGreaterThan(0.15);
    expect(share(byIntent('research'), (s) => s.truth.conversion_type === 'signup')).toBeGreaterThan(share(byIntent('buy'), (s) => s.truth.conversion_type === 'signup'));
    // Engaged time per page: researchers linger, browsers skim.
    const engaged = (intent: Intent) => {
      const leaves = byIntent(intent).flatMap(eventsOf).filter((e) => e.type === 'page_leave');
      return leaves.reduce((sum, e) => sum + (e.data!.engaged_ms as number), 0) / leaves.length;
    };
    expect(engaged('research')).toBeGreaterThan(1.5 * engaged('browse'));
    // Devices: research at a desk, browsing on the phone.
    expect(share(byIntent('research'), (s) => s.truth.device === 'desktop')).toBeGreaterThan(share(byIntent('browse'), (s) => s.truth.device === 'desktop') + 0.2);
    expect(share(byIntent('jobs'), (s) => s.truth.referrer === 'linkedin')).toBeGreaterThan(0.3);
  });

  it('records purchases the events can back: add_to_cart first, conversion value = truth value', () => {
    const purchases = sessions.filter((s) => s.truth.consented && s.truth.conversion_type === 'purchase');
    expect(purchases.length).toBeGreaterThan(50);
    for (const s of purchases) {
      const events = eventsOf(s);
      const conversion = events.find((e) => e.type === 'conversion' && e.data!.type === 'purchase')!;
      expect(conversion.data!.value).toBe(s.truth.value);
      expect(s.truth.value).toBeGreaterThan(0);
      const firstAdd = events.findIndex((e) => e.type === 'custom' && e.data!.name === 'add_to_cart');
      expect(firstAdd).toBeGreaterThanOrEqual(0);
      expect(firstAdd).toBeLessThan(events.indexOf(conversion));
      expect(s.truth.pages.at(-1) === 'thanks' || s.truth.pages.includes('thanks')).toBe(true);
    }
  });

  it('keeps cookieless visitors anonymous: no ids, nothing but page views and leaves, no consent', () => {
    const cookieless = sessions.filter((s) => !s.truth.consented);
    expect(share(visitors, (v) => !v.consented)).toBeGreaterThan(0.2);
    expect(share(visitors, (v) => !v.consented)).toBeLessThan(0.3);
    for (const s of cookieless) {
      expect(s.visitorId).toBeNull();
      expect(s.sessionId).toBeNull();
      expect(s.truth.survey_answer).toBeNull();
      expect(s.consent).toEqual({ analytics: false, marketing: false, personalization: false });
      const envelope = buildEnvelope(target, s, s.batches[0]!, 0);
      expect(envelope).not.toHaveProperty('visitor_id');
      expect(envelope).not.toHaveProperty('session_id');
      expect(new Set(eventsOf(s).map((e) => e.type))).toEqual(new Set(['page_view', 'page_leave']));
    }
    for (const s of sessions.filter((x) => x.truth.consented)) {
      expect(s.visitorId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
      expect(s.sessionId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    }
  });

  it('answers the survey at about the configured rate, mostly truthfully', () => {
    const consenting = visitors.filter((v) => v.consented);
    const answered = consenting.filter((v) => v.sessions[0]!.truth.survey_answer !== null);
    expect(answered.length / consenting.length).toBeGreaterThan(0.25);
    expect(answered.length / consenting.length).toBeLessThan(0.35);
    const truthful = share(answered, (v) => v.sessions[0]!.truth.survey_answer === v.intent);
    expect(truthful).toBeGreaterThan(0.85);
    expect(truthful).toBeLessThan(0.95);
    for (const v of answered) {
      const survey = eventsOf(v.sessions[0]!).filter((e) => e.type === 'survey');
      expect(survey).toHaveLength(1);
      expect(survey[0]!.data).toEqual({ question: 'visit_reason', answer: v.sessions[0]!.truth.survey_answer });
      expect(INTENTS).toContain(survey[0]!.data!.answer);
    }
  });

  it('brings some visitors back on a later day under the same visitor id', () => {
    const returning = visitors.filter((v) => v.sessions.length === 2);
    expect(returning.length / visitors.length).toBeGreaterThan(0.1);
    for (const v of returning) {
      const [first, second] = v.sessions as [SimSession, SimSession];
      expect(second.startedAt - first.endedAt).toBeGreaterThanOrEqual(20 * 3_600_000);
      expect(second.visitorId).toBe(first.visitorId);
      if (v.consented) expect(second.sessionId).not.toBe(first.sessionId);
      expect(second.truth.session_index).toBe(2);
    }
  });

  it('retimes a session onto another clock (live replay) without touching anything else', () => {
    const s = sessions.find((x) => x.batches.length > 3)!;
    const before = JSON.stringify(s);
    const moved = retimeSession(s, (ts) => 1_000 + (ts - s.startedAt) / 10);
    expect(moved.startedAt).toBe(1_000);
    expect(moved.truth.started_at).toBe(new Date(1_000).toISOString());
    expect(moved.batches.flatMap((b) => b.events.map((e) => e.event_id))).toEqual(eventsOf(s).map((e) => e.event_id));
    expect(moved.batches.at(-1)!.at).toBe(1_000 + (s.batches.at(-1)!.at - s.startedAt) / 10);
    expect(JSON.stringify(s)).toBe(before);
  });
});
