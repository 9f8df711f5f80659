// Title-bar actions when signed in: who, and Log out.
import type { User } from '../../../api/models';
import { useLogOut } from '../api/log-out';

export function UserMenu({ user }: { user: User }) {
  const { logOut, pending } = useLogOut();
  return (
    <div className="user-menu">
      <span className="muted" data-testid="signed-in-as">
        {user.userName} · {user.email}
      </span>
      <button type="button" className="button button-small" onClick={logOut} disabled={pending}>
        Log out
      </button>
    </div>
  );
}
