import { useState, type FormEvent } from 'react';
import { FormErrors } from '../../../components/form-errors';
import { TextField } from '../../../components/text-field';
import { toFormErrors } from '../../../lib/form-errors';
import { useLogIn } from '../api/log-in';
import type { Session } from '../../../api/models';

const FIELDS = ['email', 'password'] as const;

export function LogInForm({
  initialEmail = '',
  onLoggedIn,
}: {
  initialEmail?: string;
  onLoggedIn: (response: Session) => void;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const logIn = useLogIn();
  const errors = toFormErrors(logIn.error, FIELDS);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // The password goes exactly as typed: never trimmed or lower-cased.
    logIn.mutate({ email: email.trim(), password }, { onSuccess: onLoggedIn });
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Log in">
      <FormErrors messages={errors.form} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        errors={errors.fields.email}
        autoFocus={!initialEmail}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        errors={errors.fields.password}
        autoFocus={Boolean(initialEmail)}
      />
      <button type="submit" className="button button-primary" disabled={logIn.isPending}>
        {logIn.isPending ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
