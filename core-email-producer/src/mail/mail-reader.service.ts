import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { MailCacheRepository } from './mail-cache.repository';
import { MailReadSource } from './mail-read-source';

/**
 * How every mail query reads: the cache entry of the user's current version if there is one; else the
 * replica (or the primary when the replica lags the user's last write), then cached under that version.
 * Only what the dashboard asks for on every refresh is cached (the folder list, the first page of a
 * listing), and the cache refuses entries past a per-user share (MailCacheRepository).
 *
 * Why this is safe: the consumer records the version and the write's LSN in one step after each commit, and
 * both are read here in one MGET. An entry under version n was computed from a source that had replayed the
 * write that made n; a later write makes n+1, whose key no earlier reader could have filled.
 */
@Injectable()
export class MailReader {
  constructor(
    private readonly cache: MailCacheRepository,
    private readonly source: MailReadSource,
  ) {}

  /**
   * `what` names the query and its parameters inside the user's key space; null means "do not cache".
   * `keep` says whether an answer is worth an entry (an empty page is not: anyone can ask for one).
   */
  async read<T>(
    userId: string,
    what: string | null,
    load: (db: QueryRunner) => Promise<T>,
    keep: (value: T) => boolean = () => true,
  ): Promise<T> {
    const mark = await this.cache.mark(userId);
    if (mark && what !== null) {
      const hit = await this.cache.get<T>(userId, mark.version, what);
      if (hit !== null) return hit;
    }
    const value = await this.source.run(mark, load);
    // null (e.g. no such message) is not cached: the answer must change as soon as the row arrives.
    if (mark && what !== null && value !== null && keep(value))
      await this.cache.set(userId, mark.version, what, value);
    return value;
  }
}
