import { useState, type FormEvent } from 'react';
import { FormErrors } from '../../../components/form-errors';
import { TextField } from '../../../components/text-field';
import { toFormErrors } from '../../../lib/form-errors';
import { useDeleteAccount } from '../api/delete-account';
import { useSession } from '../session';

const FIELDS = ['password'] as const;

export function DeleteAccountForm() {
  const { endSession } = useSession();
  const [password, setPassword] = useState('');
  const deleteAccount = useDeleteAccount();
  const errors = toFormErrors(deleteAccount.error, FIELDS);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    deleteAccount.mutate(
      { password },
      { onSuccess: () => endSession('Your account and everything copied for it were deleted.') },
    );
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Delete account">
      <p className="muted small">
        This removes your account, the Outlook connection and every message copied for it. It cannot be
        undone.
      </p>
      <FormErrors messages={errors.form} />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        errors={errors.fields.password}
      />
      <button type="submit" className="button button-danger" disabled={deleteAccount.isPending}>
        {deleteAccount.isPending ? 'Deleting…' : 'Delete my account'}
      </button>
    </form>
  );
}
