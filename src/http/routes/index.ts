// Registers each domain's routes as one plugin with its prefix. Add one line per domain.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { workspaceRoutes } from './workspace.js';
import { eventRoutes } from './events.js';
import { segmentRoutes } from './segments.js';

export async function registerRoutes(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  await app.register(workspaceRoutes, { prefix: '/api/v1' });

  // auth, users, api keys, audit:

  // contacts, lists, tags, suppressions, exports:

  // imports:

  // campaigns, delivery:

  // tracking, unsubscribe, sending domains, fragments, outbox:

  // feedback:

  // verify:

  // events, segments:
  await app.register(eventRoutes, { prefix: '/api/v1' });
  await app.register(segmentRoutes, { prefix: '/api/v1' });
}
