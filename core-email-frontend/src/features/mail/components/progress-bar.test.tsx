import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { ProgressBar } from './progress-bar';

test('done of total, as a count, a percentage and the bar', () => {
  render(<ProgressBar label="Inbox" done={20} total={80} testId="bar" />);
  expect(screen.getByTestId('bar-count').textContent).toBe('20 / 80 (25 %)');
  const bar = screen.getByLabelText('Inbox');
  expect([bar.getAttribute('value'), bar.getAttribute('max')]).toEqual(['20', '80']);
});

test('no total yet: the count alone and an indeterminate bar, not a misleading 0 %', () => {
  render(<ProgressBar label="All folders" done={7} total={0} testId="bar" />);
  expect(screen.getByTestId('bar-count').textContent).toBe('7');
  expect(screen.getByLabelText('All folders').hasAttribute('value')).toBe(false);
});

test('never past 100 %', () => {
  render(<ProgressBar label="Inbox" done={90} total={80} testId="bar" />);
  expect(screen.getByTestId('bar-count').textContent).toBe('90 / 80 (100 %)');
  expect(screen.getByLabelText('Inbox').getAttribute('value')).toBe('80');
});
