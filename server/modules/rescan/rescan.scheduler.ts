/**
 * The re-scan's cadence, separate from the job it runs: the first tick one
 * interval after start (not at boot), the next one interval after the previous
 * tick ends (ticks never overlap), nothing at all when the interval is 0, and
 * `stop()` cancels the timer, asks a running tick to finish early and waits for it.
 */
import type { Timers, TimerHandle } from '../../shared/clock';
import type { Logger } from '../../shared/logger';

export interface SchedulerJob {
  run(): Promise<unknown>;
  requestStop(): void;
  idle(): Promise<void>;
}

export class RescanScheduler {
  private timer: TimerHandle | null = null;
  private stopped = false;
  private current: Promise<void> | null = null;

  constructor(
    private readonly timers: Timers,
    /** Hours between ticks; fractions allowed; 0 (or less) disables. */
    private readonly intervalHours: number,
    private readonly job: SchedulerJob,
    private readonly logger: Logger,
  ) {}

  get intervalMs(): number {
    return Math.round(this.intervalHours * 3_600_000);
  }

  /** Whether start() scheduled anything. */
  get active(): boolean {
    return this.timer !== null || this.current !== null;
  }

  start(): void {
    if (this.intervalMs <= 0 || this.stopped || this.timer) return;
    this.arm();
  }

  private arm(): void {
    this.timer = this.timers.setTimer(this.intervalMs, () => {
      this.timer = null;
      this.current = this.job
        .run()
        .then(
          () => undefined,
          (err) => this.logger.error('cve re-scan tick failed', { err }),
        )
        .finally(() => {
          this.current = null;
          if (!this.stopped) this.arm();
        });
    });
  }

  /** Settle when the tick this scheduler started (if any) has finished. */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.job.requestStop();
    await this.idle();
    await this.job.idle();
  }
}
