import { beforeEach, expect, test } from 'vitest';
import { describeFailure, takeRedirectOutcome } from './redirect-outcome';

beforeEach(() => window.history.replaceState(null, '', '/'));

test('no ?outlook=: nothing, and the address is left alone', () => {
  window.history.replaceState(null, '', '/?tab=mail');
  expect(takeRedirectOutcome()).toBeNull();
  expect(window.location.search).toBe('?tab=mail');
});

test('?outlook=connected, taken out of the address bar with nothing else touched', () => {
  window.history.replaceState(null, '', '/?outlook=connected&tab=mail#top');
  expect(takeRedirectOutcome()).toEqual({ kind: 'connected' });
  expect(window.location.search + window.location.hash).toBe('?tab=mail#top');
});

test('?outlook=error&reason=...: the reason, and a sentence for it', () => {
  window.history.replaceState(null, '', '/?outlook=error&reason=access_denied');
  expect(takeRedirectOutcome()).toEqual({ kind: 'error', reason: 'access_denied' });
  expect(window.location.search).toBe('');
  expect(describeFailure('access_denied')).toMatch(/cancelled/);
  expect(describeFailure('something_new')).toMatch(/could not be connected/);
});
