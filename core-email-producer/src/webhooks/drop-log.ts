import type { Logger } from 'pino';

/** Lines per reason per window; the rest are summed into the next window's first line. */
const LINES_PER_WINDOW = 10;
const WINDOW_MS = 10_000;

/**
 * Logs refused webhook items so an operator sees why Graph's notifications are not applied (a payload shape
 * we do not expect would otherwise vanish into a counter), while a forger's flood costs a few lines a window.
 */
export class DropLog {
  private readonly windows = new Map<string, { start: number; lines: number; suppressed: number }>();

  constructor(private readonly logger: Logger) {}

  note(reason: string, detail: Record<string, unknown>): void {
    const now = Date.now();
    let window = this.windows.get(reason);
    if (!window || now - window.start >= WINDOW_MS) {
      const suppressed = window?.suppressed ?? 0;
      window = { start: now, lines: 0, suppressed: 0 };
      this.windows.set(reason, window);
      if (suppressed > 0) this.logger.warn({ reason, suppressed }, 'webhook items refused (not logged)');
    }
    if (window.lines >= LINES_PER_WINDOW) {
      window.suppressed += 1;
      return;
    }
    window.lines += 1;
    this.logger.warn({ reason, ...detail }, 'webhook item refused');
  }
}
