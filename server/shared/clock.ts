/** Time is a parameter: services take a Clock so tests never sleep or race the wall clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A pending timer; `cancel` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

/** Timers as a parameter too: schedulers take Timers, tests drive them with ManualClock. */
export interface Timers {
  /** Call `fn` once after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** Node's setTimeout holds at most 2^31-1 ms; longer waits are chained. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Real timers; they never keep the process alive on their own (unref). */
export const systemTimers: Timers = {
  setTimer(ms, fn) {
    let cancelled = false;
    let timer: NodeJS.Timeout;
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(0, remaining), MAX_TIMEOUT_MS);
      timer = setTimeout(() => {
        if (cancelled) return;
        if (remaining > step) arm(remaining - step);
        else fn();
      }, step);
      timer.unref();
    };
    arm(ms);
    return {
      cancel() {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  },
};

/** The Timers of a clock when it has them (ManualClock), else real ones. */
export function timersOf(clock: Clock): Timers {
  return typeof (clock as Partial<Timers>).setTimer === 'function' ? (clock as unknown as Timers) : systemTimers;
}

/** A clock tests move by hand; its timers fire (in due order) when it is moved past them. */
export class ManualClock implements Clock, Timers {
  private timers: { due: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(private current: Date = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(d: Date): void {
    this.moveTo(d.getTime());
  }
  advance(ms: number): void {
    this.moveTo(this.current.getTime() + ms);
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = { due: this.current.getTime() + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(t);
    return {
      cancel: () => {
        this.timers = this.timers.filter((x) => x !== t);
      },
    };
  }
  /** Timers not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }
  private moveTo(target: number): void {
    for (;;) {
      const next = this.timers
        .filter((t) => t.due <= target)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      if (next.due > this.current.getTime()) this.current = new Date(next.due);
      next.fn();
    }
    this.current = new Date(target);
  }
}
