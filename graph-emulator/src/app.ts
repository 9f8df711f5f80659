// The HTTP application: control API, Graph under /v1.0, and the identity platform at the origin root.
import express, { type Express } from 'express';
import type { ControlDeps } from './control/deps';
import { controlRoutes } from './control/routes';
import { graphRouter } from './graph/router';
import { AadError } from './http/errors';
import { renderError } from './http/render-error';
import { requestIds } from './http/request-context';
import { authorizeRoutes } from './identity/authorize';
import { discoveryRoutes } from './identity/discovery';
import { IdentitySessions } from './identity/sessions';
import { tokenRoutes } from './identity/token';

export function buildApp(deps: ControlDeps): Express {
  const { ctx } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestIds);
  app.use('/__emulator', controlRoutes(deps));
  app.use('/v1.0', graphRouter(ctx, deps.limiter, deps.faults, deps.subscriptions));
  app.use(discoveryRoutes(ctx));
  app.use(express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 }));
  const sessions = new IdentitySessions();
  app.use(authorizeRoutes(ctx, sessions));
  app.use(tokenRoutes(ctx, sessions, deps.faults.token));
  app.use(() => {
    throw new AadError(
      404,
      'invalid_request',
      90056,
      'AADSTS90056: This endpoint does not exist on the Microsoft identity platform emulator.',
    );
  });
  app.use(renderError);
  return app;
}
