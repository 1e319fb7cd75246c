import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock, systemTimers, timersOf } from './clock';

describe('ManualClock timers', () => {
  it('fire in due order when the clock passes them, at their due time', () => {
    const c = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const fired: string[] = [];
    c.setTimer(2000, () => fired.push(`b@${c.now().toISOString()}`));
    c.setTimer(1000, () => {
      fired.push(`a@${c.now().toISOString()}`);
      c.setTimer(500, () => fired.push(`c@${c.now().toISOString()}`));
    });
    const cancelled = c.setTimer(1200, () => fired.push('never'));
    cancelled.cancel();
    c.advance(999);
    expect(fired).toEqual([]);
    c.advance(5000);
    expect(fired).toEqual(['a@2026-01-01T00:00:01.000Z', 'c@2026-01-01T00:00:01.500Z', 'b@2026-01-01T00:00:02.000Z']);
    expect(c.now().toISOString()).toBe('2026-01-01T00:00:05.999Z');
    expect(c.pendingTimers()).toBe(0);
  });

  it('timersOf picks the clock\'s own timers, else real ones', () => {
    const c = new ManualClock();
    expect(timersOf(c)).toBe(c);
    expect(timersOf(systemClock)).toBe(systemTimers);
  });

  it('real timers can be cancelled', async () => {
    let fired = false;
    const h = systemTimers.setTimer(5, () => (fired = true));
    h.cancel();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
  });
});
