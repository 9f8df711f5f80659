// Previous / Next over keyset pages. The API only goes forward (older), so Previous is the page before in
// the list of cursors this table has already followed.
interface PagerProps {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

export function Pager({ page, hasPrevious, hasNext, onPrevious, onNext }: PagerProps) {
  return (
    <div className="row pager">
      <button type="button" className="button button-small" disabled={!hasPrevious} onClick={onPrevious}>
        Previous
      </button>
      <span className="muted small" data-testid="page-number">
        Page {page}
      </span>
      <button type="button" className="button button-small" disabled={!hasNext} onClick={onNext}>
        Next
      </button>
    </div>
  );
}
