// The mailbox's folders with their counts; choosing one filters the table (null: every folder).
import type { Folder } from '../../../api/types';

interface FolderListProps {
  folders: Folder[];
  selected: string | null;
  onSelect: (folderId: string | null) => void;
}

export function FolderList({ folders, selected, onSelect }: FolderListProps) {
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
}

function FolderButton({ label, counts, unread, active, onClick }: FolderButtonProps) {
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
    </button>
  );
}
