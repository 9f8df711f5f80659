// A labelled input with its error messages under it, tied together for screen readers (aria-describedby).
import { useId, type InputHTMLAttributes } from 'react';

interface TextFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
}

export function TextField({ label, name, errors = [], hint, ...input }: TextFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [errors.length > 0 ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${errors.length > 0 ? ' field-invalid' : ''}`} data-field={name}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={errors.length > 0}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint && errors.length === 0 && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <ul id={errorId} className="field-errors" data-testid={`error-${name}`}>
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
