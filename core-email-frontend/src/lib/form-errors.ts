// Turns the producer's error messages into what a form shows: "password: must be at least 8 characters"
// goes next to the password field; anything else (or a field this form does not have) is a form error.
import { ApiError } from './api-client';

export interface FormErrors<Field extends string> {
  fields: Partial<Record<Field, string[]>>;
  form: string[];
}

const FIELD_MESSAGE = /^([A-Za-z][\w.]*)\s*:\s*(.+)$/s;

/** `error` is what the last submit failed with, or null when it did not fail. */
export function toFormErrors<Field extends string>(
  error: unknown,
  fields: readonly Field[],
): FormErrors<Field> {
  if (error === null || error === undefined) return { fields: {}, form: [] };
  const messages =
    error instanceof ApiError ? error.messages : [error instanceof Error ? error.message : String(error)];
  const result: FormErrors<Field> = { fields: {}, form: [] };
  for (const message of messages) {
    const match = FIELD_MESSAGE.exec(message);
    const field = match?.[1] as Field | undefined;
    if (match && field && fields.includes(field)) {
      (result.fields[field] ??= []).push(match[2]);
    } else {
      result.form.push(message);
    }
  }
  return result;
}
