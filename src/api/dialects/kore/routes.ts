import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { CampaignDoc, ContactDoc } from '../../../campaigns/model';
import { contactsOf } from '../../../campaigns/store';
import type { CampaignCounters } from '../../../domain/counters';
import { activeCampaignStatuses, callOutcomes, isFinalContactStatus } from '../../../domain/status';
import { accountOf } from '../../auth';
import { fieldIssues, jsonBody } from '../../http';
import type { DialectDeps } from '../deps';
import { requireKoreJwt } from './auth';
import { koreErrorHandler, koreStatus, sendKoreErrors, type KoreError } from './errors';

/**
 * Kore.ai Contact Center campaign API (seed 002 and the pages around it):
 *
 * - `POST {prefix}/:streamId/campaign/trigger/:campaignId?accountId&campaignType=voice&trigger=play`
 *   starts (or, when paused, resumes) a campaign; `stop`, `pause` and `resume` are the other
 *   triggers. Answers `{status, message, totalCallsCompleted, updatedAt, campaignInstanceId}`.
 * - `GET|POST {prefix}/:streamId/campaign/:campaignId/status?view=status|contacts`: the campaign's
 *   status, or its contacts page by page (`page` >= 1, `limit` 1..100, from the query or the body).
 *
 * `{prefix}` is `/api/v2/public` (the trigger page), `/campaign/api/v2/public` (Kore.ai's v2
 * campaign pages) or `/agentassist/api/v1/public` (the v1 pages, where the id after it is the iid). Campaign ids are ours, the numeric id or the code. `streamId` (the bot id) is
 * accepted as given: an account is one application here.
 */
export const KORE_PREFIXES = ['/api/v2/public', '/campaign/api/v2/public', '/agentassist/api/v1/public'];

export const triggers = ['play', 'stop', 'pause', 'resume'] as const;
export type Trigger = (typeof triggers)[number];

const triggerMessages: Record<Trigger, string> = {
  play: 'Campaign Started',
  stop: 'Campaign Stopped',
  pause: 'Campaign Paused',
  resume: 'Campaign Resumed',
};

const triggerQuerySchema = z.object({
  campaignType: z
    .string({ error: 'is required and must be "voice"' })
    .refine((v) => v === 'voice', { error: (i) => `must be "voice", got ${JSON.stringify(i.input)}` }),
  trigger: z.enum(triggers, {
    error: (i) =>
      i.input === undefined
        ? `is required: one of ${triggers.join(', ')}`
        : `must be one of ${triggers.join(', ')}, got ${JSON.stringify(i.input)}`,
  }),
});

export const MAX_CONTACTS_LIMIT = 100;
export const DEFAULT_CONTACTS_LIMIT = 10;

const views = ['status', 'contacts'] as const;

const viewSchema = z.object({
  view: z
    .enum(views, {
      error: (i) => `must be one of ${views.join(', ')}, got ${JSON.stringify(i.input)}`,
    })
    .default('status'),
});

const pagingSchema = z.object({
  page: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(1),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_CONTACTS_LIMIT, `must be at most ${MAX_CONTACTS_LIMIT}`)
    .default(DEFAULT_CONTACTS_LIMIT),
});

export function koreRouter(deps: DialectDeps): Router {
  const { ctx } = deps;
  const log = ctx.log.child({ component: 'kore' });
  const service = ctx.service;
  const auth = requireKoreJwt(ctx.accounts);
  const body = jsonBody(ctx.config.BODY_LIMIT);

  const api = express.Router();

  api.post('/:streamId/campaign/trigger/:campaignId', auth, body, async (req, res) => {
    const parsed = triggerQuerySchema.safeParse(req.query);
    if (!parsed.success) return invalidParameters(res, parsed.error);
    const { trigger } = parsed.data;
    const accountId = accountOf(res)._id;
    const ref = param(req, 'campaignId');

    let campaign: CampaignDoc;
    let counters: CampaignCounters | undefined;
    let message = triggerMessages[trigger];
    switch (trigger) {
      case 'play': {
        const started = await service.startCampaign(accountId, ref, { resumePaused: true });
        campaign = started.campaign;
        if (started.resumed) message = triggerMessages.resume;
        break;
      }
      case 'pause': {
        const paused = await service.pauseCampaign(accountId, ref);
        campaign = paused.campaign;
        counters = paused.snapshot.counters;
        break;
      }
      case 'resume':
        campaign = await service.resumeCampaign(accountId, ref);
        break;
      case 'stop': {
        // The live counters, read before the campaign workflow winds down.
        const before = await service.getCampaign(accountId, ref);
        if (activeCampaignStatuses.includes(before.status)) {
          counters = (await service.querySnapshot(before._id))?.counters;
        }
        campaign = await service.cancelCampaign(accountId, ref);
        break;
      }
    }
    if (!counters) {
      counters = activeCampaignStatuses.includes(campaign.status)
        ? ((await service.querySnapshot(campaign._id))?.counters ?? campaign.counts)
        : campaign.counts;
    }
    res.status(200).json({
      status: koreStatus(campaign.status),
      message,
      totalCallsCompleted: callsCompleted(counters),
      updatedAt: campaign.updatedAt.toISOString(),
      campaignInstanceId: campaign.instanceId ?? '',
    });
  });

  const status = async (req: Request, res: Response) => {
    const view = viewSchema.safeParse(req.query);
    if (!view.success) return invalidParameters(res, view.error);
    let paging: z.infer<typeof pagingSchema> | undefined;
    if (view.data.view === 'contacts') {
      const parsed = pagingSchema.safeParse(pagingInput(req));
      if (!parsed.success) return invalidParameters(res, parsed.error);
      paging = parsed.data;
    }
    const campaign = await service.getCampaign(accountOf(res)._id, param(req, 'campaignId'));
    if (!paging) {
      return res.status(200).json({
        status: 'success',
        data: { id: campaign._id, status: koreStatus(campaign.status), name: campaign.name },
      });
    }
    const { page, limit } = paging;
    const [contacts, total] = await Promise.all([
      ctx.store.listContacts(campaign, { limit, offset: (page - 1) * limit }),
      ctx.store.contacts.countDocuments(contactsOf(campaign)),
    ]);
    res.status(200).json({
      status: 'success',
      data: {
        results: contacts.map(contactResult),
        page,
        limit,
        totalPages: Math.ceil(total / limit),
        totalResults: total,
      },
    });
  };
  api.get('/:streamId/campaign/:campaignId/status', auth, status);
  api.post('/:streamId/campaign/:campaignId/status', auth, body, status);

  api.use((req, res) => {
    sendKoreErrors(res, 404, [
      { msg: `No route for ${req.method} ${req.originalUrl.split('?')[0]}`, code: 'NOT_FOUND' },
    ]);
  });
  api.use(koreErrorHandler(log));

  const router = express.Router();
  router.use(KORE_PREFIXES, api);
  return router;
}

function param(req: Request, name: string): string {
  return String((req.params as Record<string, string>)[name]);
}

/** `page` and `limit`: Kore.ai's pages send them in the body; a query parameter wins. */
function pagingInput(req: Request): Record<string, unknown> {
  const fromBody: unknown = req.body;
  const base = fromBody && typeof fromBody === 'object' && !Array.isArray(fromBody) ? fromBody : {};
  const { page, limit } = base as Record<string, unknown>;
  const query = req.query as Record<string, unknown>;
  return { page: query.page ?? page, limit: query.limit ?? limit };
}

function invalidParameters(res: Response, error: z.ZodError): void {
  const errors: KoreError[] = fieldIssues(error).map((issue) => ({
    msg: `${issue.path} ${issue.message}`,
    code: 'INVALID_PARAMETER',
    field: issue.path,
  }));
  sendKoreErrors(res, 400, errors);
}

/** Calls that ended with an outcome from the provider (cancelled attempts never reached anyone). */
export function callsCompleted(counters: CampaignCounters): number {
  return callOutcomes.filter((o) => o !== 'cancelled').reduce((sum, o) => sum + counters.calls[o], 0);
}

/**
 * One contact as Kore.ai's "Get All Contact Details" lists it. `dialerOutcome` is blank while the
 * contact is still being worked, `completed` for an answered call, else the final outcome.
 */
function contactResult(contact: ContactDoc) {
  return {
    phoneNumber: contact.phone.replace(/^\+/, ''),
    uniqueId: contact.lastCallId ?? '',
    dialerOutcome: dialerOutcome(contact),
    numberOfAttemptsSoFar: contact.attempts ?? 0,
    botSessionId: contact.lastCallId ?? '',
    agentDispositionCodes: [] as string[],
    botOutboundStatus: '',
    botOutboundStatusDetail: contact.endReason ?? '',
  };
}

function dialerOutcome(contact: ContactDoc): string {
  if (!isFinalContactStatus(contact.status)) return '';
  if (contact.status === 'completed' || contact.lastOutcome === 'answered') return 'completed';
  if (contact.status === 'skipped_dnc') return 'dnc';
  return contact.lastOutcome ?? contact.status;
}
