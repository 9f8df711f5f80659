// What the control API drives. Passed in by src/app.ts so the control routes import no server code.
import type { AppContext } from '../context';
import type { SubscriptionService } from '../subscriptions/service';
import type { Faults } from '../throttle/faults';
import type { Limiter } from '../throttle/limiter';

export interface ControlDeps {
  ctx: AppContext;
  subscriptions: SubscriptionService;
  limiter: Limiter;
  faults: Faults;
  caPath: string;
  snapshot: () => Promise<void>;
  reset: () => void;
}
