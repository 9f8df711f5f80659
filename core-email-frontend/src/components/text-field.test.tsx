import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { TextField } from './text-field';

test('the label names the input; a hint describes it while there is no error', () => {
  render(<TextField label="Password" name="password" hint="At least 8 characters." />);
  const input = screen.getByLabelText('Password');
  expect(input.getAttribute('aria-invalid')).toBe('false');
  expect(screen.getByText('At least 8 characters.').id).toBe(input.getAttribute('aria-describedby'));
});

test('errors replace the hint, mark the input invalid and are tied to it for screen readers', () => {
  render(
    <TextField
      label="Password"
      name="password"
      hint="At least 8 characters."
      errors={['is too short', 'is common']}
    />,
  );
  const input = screen.getByLabelText('Password');
  expect(input.getAttribute('aria-invalid')).toBe('true');
  const list = screen.getByTestId('error-password');
  expect([...list.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['is too short', 'is common']);
  expect(input.getAttribute('aria-describedby')?.split(' ')).toContain(list.id);
  expect(screen.queryByText('At least 8 characters.')).toBeNull();
});
