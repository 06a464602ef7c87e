// Registers each domain's routes as one plugin with its prefix. Add one line per domain.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { feedbackEventRoutes, feedbackWebhookRoutes } from './feedback.js';
import { apiKeyRoutes } from './api-keys.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { spaRoutes } from '../pages/index.js';
import { userRoutes } from './users.js';
import { workspaceRoutes } from './workspace.js';
import { settingsRoutes } from './settings.js';
import { reportRoutes } from './reports.js';
import { campaignRoutes } from './campaigns.js';
import { outboxRoutes } from './outbox.js';
import { contentRoutes } from './content.js';
import { domainRoutes } from './domains.js';
import { trackingRoutes } from './tracking.js';
import { unsubscribeRoutes } from './unsubscribe.js';
import { verifyRoutes } from './verify.js';
import { importRoutes } from './imports.js';
import { eventRoutes } from './events.js';
import { segmentRoutes } from './segments.js';
import { audienceRoutes } from './audience.js';

export async function registerRoutes(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  await app.register(workspaceRoutes, { prefix: '/api/v1' });
  await app.register(settingsRoutes, { prefix: '/api/v1' });
  await app.register(reportRoutes, { prefix: '/api/v1' });

  // auth, users, api keys, audit:
  await app.register(authRoutes, { prefix: '/api/v1' });
  await app.register(userRoutes, { prefix: '/api/v1' });
  await app.register(apiKeyRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  await app.register(spaRoutes, {}); // the admin SPA at / (web/dist), with /setup and /login

  // contacts, lists, tags, suppressions, exports:
  await app.register(audienceRoutes, { prefix: '/api/v1' });

  // imports:
  await app.register(importRoutes, { prefix: '/api/v1' });

  // campaigns, delivery:
  await app.register(campaignRoutes, { prefix: '/api/v1' });

  // tracking, unsubscribe, sending domains, fragments, outbox:
  await app.register(outboxRoutes, { prefix: '/api/v1' });
  await app.register(trackingRoutes);
  await app.register(unsubscribeRoutes);
  await app.register(domainRoutes, { prefix: '/api/v1' });
  await app.register(contentRoutes, { prefix: '/api/v1' });

  // feedback:
  await app.register(feedbackWebhookRoutes, { prefix: '/api/v1' });
  await app.register(feedbackEventRoutes, { prefix: '/api/v1' });

  // verify:
  await app.register(verifyRoutes, { prefix: '/api/v1' });

  // events, segments:
  await app.register(eventRoutes, { prefix: '/api/v1' });
  await app.register(segmentRoutes, { prefix: '/api/v1' });
}
