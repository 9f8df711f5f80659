import { SignUpForm } from '../../features/auth/components/sign-up-form';
import { Link, navigate } from '../../lib/router';

export function SignUpRoute() {
  return (
    <section className="card auth-card" aria-labelledby="sign-up-title">
      <h2 id="sign-up-title">Create an account</h2>
      <SignUpForm onSignedUp={(user) => navigate('/log-in', { state: { signedUpEmail: user.email } })} />
      <p className="muted small">
        Already have an account? <Link to="/log-in">Log in</Link>
      </p>
    </section>
  );
}
