// Under a folder's name: what the latest completeness audit proved about it.
import type { FolderAudit } from '../../../api/models';

export function FolderAuditLine({ audit }: { audit: FolderAudit }) {
  return (
    <span
      className="small muted"
      style={audit.status === 'failed' ? { color: 'var(--down)' } : undefined}
      data-testid="folder-audit"
      data-status={audit.status}
      title={`checked ${new Date(audit.checkedAt).toLocaleString()}: ${audit.stored} stored, ${audit.atGraph} in Outlook`}
    >
      {describe(audit)}
    </span>
  );
}

function describe(a: FolderAudit): string {
  const when = new Date(a.checkedAt).toLocaleString();
  if (a.status === 'complete') return `complete · ${when}`;
  const found = differences(a);
  if (a.status === 'repaired') return `repaired ${a.repaired} (${found}) · ${when}`;
  return `not proven: ${a.error ?? 'unknown'}${found ? ` (${found}, ${a.repaired} repaired)` : ''}`;
}

function differences(a: FolderAudit): string {
  return [
    a.missing ? `${a.missing} missing` : '',
    a.extra ? `${a.extra} extra` : '',
    a.stale ? `${a.stale} stale` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
