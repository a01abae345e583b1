import type { Clock } from '../../deps.ts';

/**
 * Throttles repeated failed client authentications at the token endpoint, per client id and per
 * remote address. A sliding window of failure times per key, kept in memory in this process
 * only: with several server processes each counts on its own, so the effective limit is
 * multiplied by their number. That is acceptable for slowing guessing (secrets are 256 random
 * bits) and for keeping argon2 work bounded; a shared store can replace it later.
 *
 * Trade-off: anyone who knows a client_id can hold that client off for up to one window by
 * failing on purpose. The window is short (60 s by default) to limit that.
 */
export interface ThrottleOptions {
  windowSeconds: number;
  maxFailuresPerClient: number;
  maxFailuresPerIp: number;
  /** Keys tracked at most; the oldest are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { windowSeconds: 60, maxFailuresPerClient: 10, maxFailuresPerIp: 30, maxKeys: 10_000 };

export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();
  readonly options: ThrottleOptions;

  constructor(
    private readonly clock: Clock,
    options: Partial<ThrottleOptions> = {},
  ) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  /** Seconds to wait before `clientId` (if known) from `ip` may try again; 0 when allowed. */
  retryAfter(ip: string, clientId: string | undefined): number {
    const byIp = this.wait(`ip:${ip}`, this.options.maxFailuresPerIp);
    const byClient = clientId === undefined ? 0 : this.wait(`client:${clientId}`, this.options.maxFailuresPerClient);
    return Math.max(byIp, byClient);
  }

  recordFailure(ip: string, clientId: string | undefined): void {
    this.add(`ip:${ip}`);
    if (clientId !== undefined) this.add(`client:${clientId}`);
  }

  /** A success clears the client's count (not the address's: one good client must not launder a scanner). */
  recordSuccess(clientId: string): void {
    this.failures.delete(`client:${clientId}`);
  }

  private recent(key: string): number[] {
    const cutoff = this.clock.now().getTime() - this.options.windowSeconds * 1000;
    const times = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  private wait(key: string, max: number): number {
    const times = this.recent(key);
    if (times.length < max) return 0;
    // Allowed again once enough of the window's failures have aged out.
    const unblockAt = (times[times.length - max] ?? 0) + this.options.windowSeconds * 1000;
    return Math.max(1, Math.ceil((unblockAt - this.clock.now().getTime()) / 1000));
  }

  private add(key: string): void {
    const times = this.recent(key);
    times.push(this.clock.now().getTime());
    // Keep no more than needed to decide, and re-insert so Map order tracks recency.
    this.failures.delete(key);
    this.failures.set(key, times.slice(-Math.max(this.options.maxFailuresPerClient, this.options.maxFailuresPerIp)));
    while (this.failures.size > this.options.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }
}
