import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { FormErrors } from './form-errors';

test('nothing to say: nothing rendered', () => {
  const { container } = render(<FormErrors messages={[]} />);
  expect(container.innerHTML).toBe('');
});

test('one message is the alert text; several are a list', () => {
  const { rerender } = render(<FormErrors messages={['Wrong email or password']} />);
  expect(screen.getByRole('alert').textContent).toBe('Wrong email or password');
  rerender(<FormErrors messages={['first', 'second']} />);
  expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['first', 'second']);
});
