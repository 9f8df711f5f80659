import { useState, type FormEvent } from 'react';
import { FormErrors } from '../../../components/form-errors';
import { TextField } from '../../../components/text-field';
import { toFormErrors } from '../../../lib/form-errors';
import { useSignUp } from '../api/sign-up';
import type { User } from '../../../api/models';

const FIELDS = ['email', 'userName', 'password'] as const;

export function SignUpForm({ onSignedUp }: { onSignedUp: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const signUp = useSignUp();
  const errors = toFormErrors(signUp.error, FIELDS);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // The API validates; the browser's own checks are off (noValidate) so its messages are the ones shown.
    // The password goes exactly as typed: never trimmed or lower-cased.
    signUp.mutate(
      { email: email.trim(), userName: userName.trim(), password },
      { onSuccess: (response) => onSignedUp(response.user) },
    );
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Sign up">
      <FormErrors messages={errors.form} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        errors={errors.fields.email}
        autoFocus
      />
      <TextField
        label="User name"
        name="userName"
        autoComplete="nickname"
        value={userName}
        onChange={(e) => setUserName(e.target.value)}
        errors={errors.fields.userName}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        errors={errors.fields.password}
        hint="At least 8 characters, at most 72 bytes."
      />
      <button type="submit" className="button button-primary" disabled={signUp.isPending}>
        {signUp.isPending ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}
