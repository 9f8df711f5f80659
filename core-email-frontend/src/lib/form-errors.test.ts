import { expect, test } from 'vitest';
import { ApiError } from './api-client';
import { toFormErrors } from './form-errors';

const FIELDS = ['email', 'password'] as const;

test('no error: no messages', () => {
  expect(toFormErrors(null, FIELDS)).toEqual({ fields: {}, form: [] });
});

test("'field: text' goes to its field; other messages and unknown fields are form errors", () => {
  const error = new ApiError(400, [
    'email: must be an email address',
    'password: must be at least 8 characters',
    'password: must be at most 72 bytes',
    'userName: is taken',
    'Something else went wrong',
  ]);
  expect(toFormErrors(error, FIELDS)).toEqual({
    fields: {
      email: ['must be an email address'],
      password: ['must be at least 8 characters', 'must be at most 72 bytes'],
    },
    form: ['userName: is taken', 'Something else went wrong'],
  });
});

test('an error that is not from the API is one form error', () => {
  expect(toFormErrors(new Error('network down'), FIELDS)).toEqual({ fields: {}, form: ['network down'] });
  expect(toFormErrors('odd', FIELDS)).toEqual({ fields: {}, form: ['odd'] });
});
