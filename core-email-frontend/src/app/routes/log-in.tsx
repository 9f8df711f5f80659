import { Banner } from '../../components/banner';
import { LogInForm } from '../../features/auth/components/log-in-form';
import { useSession } from '../../features/auth/session';
import { Link, navigate, navigationState } from '../../lib/router';

export function LogInRoute() {
  const { session, startSession } = useSession();
  const signedUpEmail = navigationState().signedUpEmail;
  const notice = session.status === 'signed-out' ? session.notice : undefined;

  return (
    <section className="card auth-card" aria-labelledby="log-in-title">
      <h2 id="log-in-title">Log in</h2>
      {typeof signedUpEmail === 'string' && (
        <Banner tone="success" testId="signed-up">
          Account created. Log in with your password.
        </Banner>
      )}
      {notice && (
        <Banner tone="info" testId="session-notice">
          {notice}
        </Banner>
      )}
      <LogInForm
        initialEmail={typeof signedUpEmail === 'string' ? signedUpEmail : ''}
        onLoggedIn={(response) => {
          startSession(response);
          navigate('/', { replace: true });
        }}
      />
      <p className="muted small">
        No account yet? <Link to="/sign-up">Sign up</Link>
      </p>
    </section>
  );
}
