// The synced mailbox: the sync panel, the folders, the email table with paging, the opened message.
// Kept current by the server's events (GET /api/events), never by polling: a finished sync, a `mail` event
// or a reopened stream invalidates everything under the mail key (status, folders, pages, audit).
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { SyncEvent } from '../../../api/models';
import { Banner } from '../../../components/banner';
import { AuditSummary } from '../../audit/components/audit-summary';
import { useMailboxAudit } from '../../audit/use-mailbox-audit';
import { useMailEvents } from '../api/get-events';
import { useFolders } from '../api/get-folders';
import { MAIL_KEY } from '../api/keys';
import { useMessages } from '../api/get-messages';
import { useSyncStatus } from '../api/get-sync-status';
import { ResyncMode, useResync } from '../api/resync';
import { progressOf } from '../sync-progress';
import { usePageCursors } from '../use-page-cursors';
import { EmailTable } from './email-table';
import { FolderList } from './folder-list';
import { MessageView } from './message-view';
import { Pager } from './pager';
import { SyncPanel } from './sync-panel';

export function Mailbox() {
  const status = useSyncStatus();
  const folders = useFolders();
  const [folderId, setFolderId] = useState<string | null>(null);
  const pages = usePageCursors();
  const messages = useMessages({ folderId, cursor: pages.cursor });
  const [openId, setOpenId] = useState<string | null>(null);
  const [live, setLive] = useState<SyncEvent | null>(null);
  const resync = useResync();
  const audit = useMailboxAudit();
  const queryClient = useQueryClient();

  const refetchMail = () => void queryClient.invalidateQueries({ queryKey: MAIL_KEY });
  useMailEvents({
    onSync: (event) => {
      setLive(event);
      if (event.status !== 'running') refetchMail();
    },
    onMail: refetchMail,
    onConnected: refetchMail,
  });

  const startResync = (mode: ResyncMode) =>
    resync.mutate(mode, {
      onSuccess: ({ runId }) =>
        setLive({ runId, status: 'running', done: 0, total: 0, folders: [], at: new Date().toISOString() }),
    });
  const chooseFolder = (id: string | null) => {
    setFolderId(id);
    pages.reset();
  };

  return (
    <div className="stack" data-testid="mailbox">
      <SyncPanel
        progress={progressOf(live, status.data?.run ?? null)}
        deliveryMode={status.data?.deliveryMode ?? null}
        busy={resync.isPending}
        error={resync.error instanceof Error ? resync.error.message : null}
        onResync={startResync}
        audit={<AuditSummary audit={audit} />}
      />
      <section className="card mailbox" aria-labelledby="mail-title">
        <header className="card-header">
          <h2 id="mail-title">Mail</h2>
        </header>
        <div className="mailbox-layout">
          {folders.status === 'success' && (
            <FolderList
              folders={folders.data.items}
              selected={folderId}
              onSelect={chooseFolder}
              audits={audit.byFolder}
            />
          )}
          <div className="mailbox-main">
            {messages.status === 'pending' && <p className="muted">Loading messages…</p>}
            {messages.status === 'error' && <Banner tone="error">{messages.error.message}</Banner>}
            {messages.status === 'success' && (
              <>
                <EmailTable items={messages.data.items} onOpen={setOpenId} />
                <Pager
                  page={pages.page}
                  hasPrevious={pages.hasPrevious}
                  hasNext={messages.data.nextCursor !== null}
                  onPrevious={pages.previous}
                  onNext={() => messages.data.nextCursor && pages.next(messages.data.nextCursor)}
                />
              </>
            )}
          </div>
        </div>
      </section>
      {openId && <MessageView id={openId} onClose={() => setOpenId(null)} />}
    </div>
  );
}
