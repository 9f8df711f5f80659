// One labelled bar: done of total. With no total yet (a sync that has not counted its folders), the bar
// is indeterminate rather than a misleading 0 %.
interface ProgressBarProps {
  label: string;
  done: number;
  total: number;
  testId?: string;
}

export function ProgressBar({ label, done, total, testId }: ProgressBarProps) {
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null;
  return (
    <div className="progress" data-testid={testId}>
      <div className="progress-label">
        <span>{label}</span>
        <span className="muted small" data-testid={testId && `${testId}-count`}>
          {total > 0 ? `${done} / ${total} (${percent} %)` : `${done}`}
        </span>
      </div>
      {percent === null ? (
        <progress aria-label={label} />
      ) : (
        <progress aria-label={label} value={Math.min(done, total)} max={total} />
      )}
    </div>
  );
}
