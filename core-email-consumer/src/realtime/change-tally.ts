/**
 * What one apply changed, message by message, for `notify_user_mutate_email`. Each id's state is taken when
 * the delta first mentions it (before that page is written) and again after the last page: present then and
 * now → updated, only now → created, only then → deleted. A message moved between folders (same immutable
 * id, removed from one folder's delta and added to another's, in either order) is therefore "updated".
 */
export class ChangeTally {
  private readonly existedBefore = new Map<string, boolean>();

  /** Ids the delta mentions that are not known yet: the caller looks up which of them are stored. */
  unseen(ids: string[]): string[] {
    return ids.filter((id) => !this.existedBefore.has(id));
  }

  recordBefore(ids: string[], stored: Set<string>): void {
    for (const id of ids) if (!this.existedBefore.has(id)) this.existedBefore.set(id, stored.has(id));
  }

  get ids(): string[] {
    return [...this.existedBefore.keys()];
  }

  /** `storedNow`: which of {@link ids} are stored after the apply. */
  result(storedNow: Set<string>): { created: string[]; updated: string[]; deleted: string[] } {
    const created: string[] = [];
    const updated: string[] = [];
    const deleted: string[] = [];
    for (const [id, before] of this.existedBefore) {
      const now = storedNow.has(id);
      if (before && now) updated.push(id);
      else if (now) created.push(id);
      else if (before) deleted.push(id);
    }
    return { created, updated, deleted };
  }
}
