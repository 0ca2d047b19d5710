import type { EntityManager } from '@mikro-orm/postgresql';
import { Router } from 'express';
import { isOutboxReader } from '@kaihu/plugin-api';
import type { Services } from '../services';

/**
 * Pages for running a demo without a phone (demo mode only; the router is not mounted otherwise,
 * so these paths answer 404 in any other deployment).
 * - `GET /dev/outbox[?to=138…]`: the SMS outbox, newest first: `[{to, text, code?, createdAt}]`
 * - `GET /dev/captcha/:id`: `{answer}` of an unused captcha
 */
export function devRoutes(services: Services, forkEm: () => EntityManager): Router {
  const router = Router();
  router.get('/captcha/:id', async (req, res, next) => {
    try {
      const answer = await services.captchas.demoAnswer(forkEm(), req.params.id!);
      if (answer === null) res.status(404).json({ error: 'captcha not found' });
      else res.json({ answer });
    } catch (e) {
      next(e);
    }
  });
  router.get('/outbox', async (req, res, next) => {
    try {
      const sms = services.plugins.sms;
      if (!isOutboxReader(sms)) {
        res.status(404).json({ error: 'the SMS plugin keeps no outbox' });
        return;
      }
      const to = typeof req.query.to === 'string' ? req.query.to : undefined;
      const limit = Math.min(Number(req.query.limit) || 50, 500);
      const rows = await sms.list({ to, limit });
      res.json(
        rows.map((m) => ({
          to: m.to,
          text: m.text,
          purpose: m.purpose,
          ...(m.code ? { code: m.code } : {}),
          createdAt: m.createdAt.toISOString(),
        })),
      );
    } catch (e) {
      next(e);
    }
  });
  return router;
}
