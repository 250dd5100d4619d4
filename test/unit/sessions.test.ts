import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../collector/sessions.ts';
import type { Acquisition } from '../../collector/classify/types.ts';

const entry: Acquisition = { source: 'Google', channel: 'Organic Search', referrerHost: 'google.com', utm: { source: '', medium: '', campaign: '', content: '', term: '' } };
const open = () => ({ entry, entryPage: '/', tech: { browser: 'Chrome', os: 'Windows', device: 'desktop' as const }, country: 'DE', cubes: [] });
const MIN = 60_000;

describe('SessionStore', () => {
  it('opens a visit as a bounce, ends the bounce on the second interaction, and grows duration', () => {
    const s = new SessionStore(10, 30 * MIN);
    expect(s.track('v', 0, true, open)).toMatchObject({ isNew: true, visits: 1, bounces: 1, duration: 0 });
    expect(s.track('v', 20_000, true, open)).toMatchObject({ isNew: false, visits: 0, bounces: -1, duration: 20 });
    expect(s.track('v', 50_000, true, open)).toMatchObject({ visits: 0, bounces: 0, duration: 30 });
  });
  it('non-interactive events neither end a bounce nor extend the visit', () => {
    const s = new SessionStore(10, 30 * MIN);
    s.track('v', 0, true, open);
    expect(s.track('v', 10_000, false, open)).toMatchObject({ visits: 0, bounces: 0, duration: 0 });
    expect(s.track('v', 15_000, true, open)).toMatchObject({ bounces: -1, duration: 15 });
  });
  it('starts a new visit after 30 minutes idle', () => {
    const s = new SessionStore(10, 30 * MIN);
    s.track('v', 0, true, open);
    expect(s.track('v', 30 * MIN + 1, true, open)).toMatchObject({ isNew: true, visits: 1, bounces: 1 });
  });
  it('is bounded: the least recently active visit goes first, and its counts stay consistent', () => {
    const s = new SessionStore(2, 30 * MIN);
    let visits = 0;
    let bounces = 0;
    const book = (k: string, t: number) => {
      const d = s.track(k, t, true, open);
      visits += d.visits;
      bounces += d.bounces;
    };
    book('a', 0);
    book('b', 1000);
    book('c', 2000); // evicts a
    expect(s.size).toBe(2);
    book('a', 3000); // a returns: a new visit, counted as such
    book('a', 4000); // and that visit is no longer a bounce
    // Visits: a, b, c, a' = 4; bounces: b, c and a (a' ended its bounce) = 3. Never negative, never double.
    expect(visits).toBe(4);
    expect(bounces).toBe(3);
  });
});
