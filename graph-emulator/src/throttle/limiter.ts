// Graph's Outlook limits per app + mailbox: at most N requests in flight and a request budget per sliding
// window. Rejections carry the Retry-After a well-behaved client should wait.

export interface ThrottleSettings {
  concurrency: number;
  windowRequests: number;
  windowSeconds: number;
  retryAfterSeconds: number;
}

export type Admission =
  | { ok: true; active: number; release: () => void }
  | { ok: false; reason: 'concurrency' | 'budget'; retryAfterSeconds: number };

interface Bucket {
  active: number;
  /** Request start times inside the window, oldest first; `head` marks the oldest live one. */
  times: number[];
  head: number;
}

export class Limiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(public settings: ThrottleSettings) {}

  admit(key: string, now = Date.now()): Admission {
    const bucket = this.bucket(key);
    const windowMs = this.settings.windowSeconds * 1000;
    while (bucket.head < bucket.times.length && bucket.times[bucket.head] <= now - windowMs) bucket.head++;
    if (bucket.head > 4096 && bucket.head * 2 > bucket.times.length) {
      bucket.times = bucket.times.slice(bucket.head);
      bucket.head = 0;
    }
    if (bucket.active >= this.settings.concurrency) {
      return { ok: false, reason: 'concurrency', retryAfterSeconds: this.settings.retryAfterSeconds };
    }
    if (bucket.times.length - bucket.head >= this.settings.windowRequests) {
      const wait = Math.ceil((bucket.times[bucket.head] + windowMs - now) / 1000);
      return {
        ok: false,
        reason: 'budget',
        retryAfterSeconds: Math.max(wait, this.settings.retryAfterSeconds),
      };
    }
    bucket.active++;
    bucket.times.push(now);
    let released = false;
    return {
      ok: true,
      active: bucket.active,
      release: () => {
        if (released) return;
        released = true;
        bucket.active--;
      },
    };
  }

  reset(): void {
    this.buckets.clear();
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { active: 0, times: [], head: 0 };
      this.buckets.set(key, b);
    }
    return b;
  }
}
