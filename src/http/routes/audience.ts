// The audience domain's route plugins (contacts, lists, tags, suppressions, consent, exports),
// registered together so routes/index.ts needs one line.
import type { FastifyPluginAsync } from 'fastify';
import { consentRoutes } from './consent.js';
import { contactRoutes } from './contacts.js';
import { exportRoutes } from './exports.js';
import { listRoutes } from './lists.js';
import { suppressionRoutes } from './suppressions.js';
import { tagRoutes } from './tags.js';

export const audienceRoutes: FastifyPluginAsync = async (app) => {
  for (const routes of [contactRoutes, listRoutes, tagRoutes, suppressionRoutes, consentRoutes, exportRoutes]) await app.register(routes);
};
