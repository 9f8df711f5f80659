import type { User } from '../../../api/models';
import { ChangePasswordForm } from './change-password-form';
import { DeleteAccountForm } from './delete-account-form';

export function AccountCard({ user }: { user: User }) {
  return (
    <section className="card" aria-labelledby="account-title" data-testid="account-card">
      <header className="card-header">
        <h2 id="account-title">Your account</h2>
      </header>
      <dl className="facts">
        <dt>User name</dt>
        <dd data-testid="account-user-name">{user.userName}</dd>
        <dt>Email</dt>
        <dd data-testid="account-email">{user.email}</dd>
        <dt>Member since</dt>
        <dd>{new Date(user.createdAt).toLocaleDateString()}</dd>
      </dl>
      {/* Rarely used, so folded away until asked for. */}
      <details className="disclosure">
        <summary>Change password</summary>
        <ChangePasswordForm />
      </details>
      <details className="disclosure">
        <summary>Delete account</summary>
        <DeleteAccountForm />
      </details>
    </section>
  );
}
