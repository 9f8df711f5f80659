// Keyset paging state: the cursors followed so far (null is the first page). Next follows the API's
// nextCursor; Previous steps back to the cursor before; a new folder starts over at the first page.
import { useState } from 'react';

export function usePageCursors() {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    hasPrevious: cursors.length > 1,
    next: (nextCursor: string) => setCursors((c) => [...c, nextCursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reset: () => setCursors([null]),
  };
}
