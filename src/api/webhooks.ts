import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import express, { type ErrorRequestHandler, type Router } from 'express';
import { isCallToken } from '../dialers/call-token';
import { callbackEventSchema, type CallbackEvent } from '../dialers/protocol';
import { verifySignature } from '../dialers/signature';
import type { CampaignStore } from '../campaigns/store';
import type { Logger } from '../log';
import { bodyProblem } from './http';
import { callEventSignal } from '../../workflows/messages';

export interface WebhookDeps {
  secret: string;
  store: CampaignStore;
  temporal: Client;
  log: Logger;
}

/**
 * The call-status webhook: a provider tells us how a call went. The signature is checked over the
 * raw bytes before anything is parsed; the call must be one we placed; the outcome goes to the
 * contact workflow named in the call's metadata as a signal.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  router.post('/webhooks/calls', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(deps.secret, raw, req.headers, Date.now())) {
      res
        .status(401)
        .json({ error: { code: 'INVALID_SIGNATURE', message: 'missing, stale or wrong signature' } });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      res.status(400).json({ error: { code: 'INVALID_JSON', message: 'body is not JSON' } });
      return;
    }
    const parsed = callbackEventSchema.safeParse(body);
    if (!parsed.success) {
      res.status(400).json({
        error: {
          code: 'VALIDATION_ERROR',
          message: 'not a call-status event',
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      });
      return;
    }
    const event = parsed.data;
    if (!(await isOurCall(deps, event))) {
      res.status(404).json({ error: { code: 'UNKNOWN_CALL', message: 'no call was placed with that key' } });
      return;
    }
    try {
      await deps.temporal.workflow.getHandle(event.metadata.workflowId).signal(callEventSignal, {
        attempt: event.metadata.attempt,
        callId: event.callId,
        event: event.event,
        ...(event.outcome && { outcome: event.outcome }),
        ...(event.durationS !== undefined && { durationS: event.durationS }),
        ...(event.optOut !== undefined && { optOut: event.optOut }),
      });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The contact already finished (its outcome timed out, or this is a late repeat): nothing to change.
      res.status(200).json({ status: 'ignored', reason: 'contact workflow has finished' });
      return;
    }
    res.status(200).json({ status: 'accepted' });
  });
  router.use(unreadableBody);
  return router;
}

/**
 * Whether we placed this call for the contact and attempt its metadata names: by the token our
 * dialer put in the metadata, which saves a read of the call's record on every callback; by that
 * record for a call placed without one.
 */
async function isOurCall(deps: WebhookDeps, event: CallbackEvent): Promise<boolean> {
  const { token, ...identity } = event.metadata;
  if (token !== undefined) return isCallToken(deps.secret, token, event.idempotencyKey, identity);
  const call = await deps.store.getCall(event.idempotencyKey);
  return call !== null && call.contactId === identity.contactId && call.attempt === identity.attempt;
}

/** A body that cannot be read (too large, or in an encoding we do not take) leaves no bytes to verify. */
const unreadableBody: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const problem = bodyProblem(err);
  if (!problem || res.headersSent) return next(err);
  res.status(problem.status).json({ error: { code: problem.code, message: problem.message } });
};
