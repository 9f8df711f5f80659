// A one-line message across the top of a page or a form: success, error or plain information.
import type { ReactNode } from 'react';

interface BannerProps {
  tone: 'success' | 'error' | 'info';
  children: ReactNode;
  testId?: string;
  onDismiss?: () => void;
}

export function Banner({ tone, children, testId, onDismiss }: BannerProps) {
  return (
    <div
      className={`banner banner-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
      data-tone={tone}
    >
      <div className="banner-text">{children}</div>
      {onDismiss && (
        <button type="button" className="banner-dismiss" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
