import { useState, type FormEvent } from 'react';
import { Banner } from '../../../components/banner';
import { FormErrors } from '../../../components/form-errors';
import { TextField } from '../../../components/text-field';
import { toFormErrors } from '../../../lib/form-errors';
import { useChangePassword } from '../api/change-password';
import { useSession } from '../session';

const FIELDS = ['currentPassword', 'newPassword'] as const;

export function ChangePasswordForm() {
  const { startSession } = useSession();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [changed, setChanged] = useState(false);
  const changePassword = useChangePassword();
  const errors = toFormErrors(changePassword.error, FIELDS);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setChanged(false);
    changePassword.mutate(
      { currentPassword, newPassword },
      {
        // The API revoked every session, this one included, and issued a new token for this tab.
        onSuccess: (response) => {
          startSession(response);
          setCurrentPassword('');
          setNewPassword('');
          setChanged(true);
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Change password">
      {changed && (
        <Banner tone="success" testId="password-changed">
          Password changed. Your other sessions were logged out.
        </Banner>
      )}
      <FormErrors messages={errors.form} />
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        onChange={(e) => setCurrentPassword(e.target.value)}
        errors={errors.fields.currentPassword}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        value={newPassword}
        onChange={(e) => setNewPassword(e.target.value)}
        errors={errors.fields.newPassword}
        hint="At least 8 characters, at most 72 bytes."
      />
      <button type="submit" className="button" disabled={changePassword.isPending}>
        {changePassword.isPending ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}
