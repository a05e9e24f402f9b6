// Which endpoints the node:http door serves. Each is the same function its Next route handler uses.
import { fastRoute } from './routes';
import { tokenEndpoint } from '../oauth/endpoints/token';
import { authorizeEndpoint } from '../oauth/endpoints/authorize-http';

export function registerFastRoutes() {
  fastRoute('/o/token', tokenEndpoint);
  fastRoute('/o/authorize', authorizeEndpoint, ['GET', 'HEAD']);
}
