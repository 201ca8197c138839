/**
 * Repeated log lines, rate-limited: a caller that sends a thousand bad or unauthenticated
 * requests, or a burst that meets a full queue, gets one line per kind per interval, and the
 * next line says how many were left out. The metrics still count every one.
 */
export class LogLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    /** At most one line per key per this many ms (default 10 s). */
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Calls `emit` for the first line of `key` in an interval, with the number of lines of that
   * key left out since the previous one (0 the first time); does nothing for the others.
   */
  log(key: string, emit: (suppressed: number) => void): void {
    const t = this.now();
    const s = this.last.get(key);
    if (s && t - s.at < this.intervalMs) {
      s.suppressed++;
      return;
    }
    this.last.set(key, { at: t, suppressed: 0 });
    emit(s?.suppressed ?? 0);
  }
}
