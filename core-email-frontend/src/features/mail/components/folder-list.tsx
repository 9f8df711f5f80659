// The mailbox's folders with their counts; choosing one filters the table (null: every folder).
import type { Folder, FolderAudit } from '../../../api/models';
import { FolderAuditLine } from '../../audit/components/folder-audit';

interface FolderListProps {
  folders: Folder[];
  selected: string | null;
  onSelect: (folderId: string | null) => void;
  /** Each folder's latest completeness audit, by folder id. */
  audits?: ReadonlyMap<string, FolderAudit>;
}

export function FolderList({ folders, selected, onSelect, audits }: FolderListProps) {
  return (
    <nav className="folder-list" aria-label="Folders" data-testid="folder-list">
      <FolderButton label="All mail" active={selected === null} onClick={() => onSelect(null)} />
      {folders.map((folder) => (
        <FolderButton
          key={folder.id}
          label={folder.name}
          counts={`${folder.storedCount} / ${folder.totalCount}`}
          unread={folder.unreadCount}
          active={selected === folder.id}
          onClick={() => onSelect(folder.id)}
          audit={audits?.get(folder.id)}
        />
      ))}
    </nav>
  );
}

interface FolderButtonProps {
  label: string;
  counts?: string;
  unread?: number;
  active: boolean;
  onClick: () => void;
  audit?: FolderAudit;
}

function FolderButton({ label, counts, unread, active, onClick, audit }: FolderButtonProps) {
  return (
    <button
      type="button"
      className={`folder ${active ? 'folder-active' : ''}`}
      aria-current={active ? 'true' : undefined}
      onClick={onClick}
    >
      <span className="folder-name">{label}</span>
      {counts && (
        <span className="muted small" title="stored here / in Outlook">
          {counts}
          {unread ? ` · ${unread} unread` : ''}
        </span>
      )}
      {audit && <FolderAuditLine audit={audit} />}
    </button>
  );
}
