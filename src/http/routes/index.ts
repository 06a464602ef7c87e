// Registers each domain's routes as one plugin with its prefix. Add one line per domain.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { verifyRoutes } from './verify.js';
import { workspaceRoutes } from './workspace.js';
import { importRoutes } from './imports.js';

export async function registerRoutes(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  await app.register(workspaceRoutes, { prefix: '/api/v1' });

  // auth, users, api keys, audit:

  // contacts, lists, tags, suppressions, exports:

  // imports:
  await app.register(importRoutes, { prefix: '/api/v1' });

  // campaigns, delivery:

  // tracking, unsubscribe, sending domains, fragments, outbox:

  // feedback:

  // verify:
  await app.register(verifyRoutes, { prefix: '/api/v1' });

  // events, segments:
}
