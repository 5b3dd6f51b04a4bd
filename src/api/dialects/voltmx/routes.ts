import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { CampaignDoc } from '../../../campaigns/model';
import { accountOf } from '../../auth';
import { fieldIssues, jsonBody, summarize } from '../../http';
import type { DialectDeps } from '../deps';
import {
  campaignIdOf,
  MESSAGES,
  requireVoltmxKey,
  sendVoltmx,
  sendVoltmxError,
  setCampaignId,
  voltmxErrorHandler,
  voltmxStatus,
} from './respond';

/**
 * HCL Volt MX Foundry Engagement Services campaign API (seed 004 and its sibling pages):
 *
 * - `POST /api/v1/campaigns/:id/start`     → `{"id", "message": "Campaign execution intiated successfully. "}`
 * - `POST /api/v1/campaigns/:id/pause`     → `... "Campaign execution paused successfully. "`
 * - `POST /api/v1/campaigns/:id/resume`    → `... "Campaign execution resumed successfully. "`
 * - `POST /api/v1/campaigns/:id/terminate` → `... "Campaign execution stopped successfully. "`
 * - `DELETE /api/v1/campaigns/:id` and `POST /api/v1/campaigns/:id/delete` → `... "Campaign deleted successfully"`
 * - `GET /api/v1/campaigns?start=0&pageSize=10` → `{total, campaigns: [...]}`
 * - `GET /api/v1/campaigns/:id` → the campaign
 *
 * Ids are Volt MX's longs (every campaign has a `numericId`) or our own ids, echoed as given.
 * Statuses: 200; 400 for a malformed request, an unknown campaign or a refused state change; 401
 * without a valid key; 500 when we fail (Temporal or MongoDB unreachable).
 */
export const VOLTMX_PREFIX = '/api/v1/campaigns';

export const SUCCESS = {
  start: 'Campaign execution intiated successfully. ',
  pause: 'Campaign execution paused successfully. ',
  resume: 'Campaign execution resumed successfully. ',
  terminate: 'Campaign execution stopped successfully. ',
  delete: 'Campaign deleted successfully',
} as const;

/** A Volt MX long, or one of our 24-hex-digit ids. */
const CAMPAIGN_ID = /^(\d{1,15}|[0-9a-f]{24})$/;

export const MAX_PAGE_SIZE = 100;

const pageSchema = z.object({
  start: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .default(0),
  pageSize: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(10),
});

export function voltmxRouter(deps: DialectDeps): Router {
  const { ctx } = deps;
  const service = ctx.service;
  const auth = requireVoltmxKey(deps.keys);
  const body = jsonBody(ctx.config.BODY_LIMIT);
  const api = express.Router();

  /** Checks the id's form after authentication, so a bad key is a 401 whatever the id. */
  const campaignId = (req: Request, res: Response, next: NextFunction) => {
    const id = String((req.params as Record<string, string>).id);
    setCampaignId(res, id);
    if (!CAMPAIGN_ID.test(id)) {
      return sendVoltmxError(res, 400, {
        id,
        message: MESSAGES.invalidFormat,
        details: 'The campaign id must be a long (such as 3) or a campaign id of 24 hex digits',
      });
    }
    next();
  };
  const ok = (res: Response, message: string) => sendVoltmx(res, 200, { id: campaignIdOf(res), message });

  api.post('/:id/start', auth, campaignId, body, async (_req, res) => {
    await service.startCampaign(accountOf(res)._id, campaignIdOf(res) as string, { resumePaused: false });
    ok(res, SUCCESS.start);
  });

  api.post('/:id/pause', auth, campaignId, body, async (_req, res) => {
    await service.pauseCampaign(accountOf(res)._id, campaignIdOf(res) as string);
    ok(res, SUCCESS.pause);
  });

  api.post('/:id/resume', auth, campaignId, body, async (_req, res) => {
    await service.resumeCampaign(accountOf(res)._id, campaignIdOf(res) as string);
    ok(res, SUCCESS.resume);
  });

  api.post('/:id/terminate', auth, campaignId, body, async (_req, res) => {
    await service.cancelCampaign(accountOf(res)._id, campaignIdOf(res) as string);
    ok(res, SUCCESS.terminate);
  });

  const remove = async (_req: Request, res: Response) => {
    await service.deleteCampaign(accountOf(res)._id, campaignIdOf(res) as string);
    ok(res, SUCCESS.delete);
  };
  api.delete('/:id', auth, campaignId, remove);
  api.post('/:id/delete', auth, campaignId, body, remove);

  api.get('/', auth, async (req, res) => {
    const parsed = pageSchema.safeParse(req.query);
    if (!parsed.success) {
      return sendVoltmxError(res, 400, {
        message: MESSAGES.invalidFormat,
        details: summarize(fieldIssues(parsed.error)),
      });
    }
    const { start, pageSize } = parsed.data;
    const accountId = accountOf(res)._id;
    const [campaigns, total] = await Promise.all([
      service.listCampaigns(accountId, { limit: pageSize, offset: start }),
      ctx.store.campaigns.countDocuments({ accountId, deletedAt: { $exists: false } }),
    ]);
    sendVoltmx(res, 200, { total, campaigns: campaigns.map(campaignView) });
  });

  api.get('/:id', auth, campaignId, async (_req, res) => {
    const campaign = await service.getCampaign(accountOf(res)._id, campaignIdOf(res) as string);
    sendVoltmx(res, 200, campaignView(campaign));
  });

  api.use((req, res) => {
    sendVoltmxError(res, 404, {
      message: 'Resource not found',
      details: `No route for ${req.method} ${req.originalUrl.split('?')[0]}`,
    });
  });
  api.use(voltmxErrorHandler(ctx.log.child({ component: 'voltmx' })));

  const router = express.Router();
  router.use(VOLTMX_PREFIX, api);
  return router;
}

/** Volt MX writes dates as `05/15/2016 07:11:00 PM` in the campaign's zone; ours is UTC. */
const ZONE = '(GMT+00:00) UTC';

function dateStr(date: Date | undefined, withZone = false): string {
  if (!date) return '';
  const text = DateTime.fromJSDate(date, { zone: 'utc' }).toFormat('MM/dd/yyyy hh:mm:ss a');
  return withZone ? `${text} UTC` : text;
}

/**
 * A campaign in the shape of Volt MX's "Get Campaign Details by ID": its fields, with the channel
 * lists empty (a voice campaign has no push, mail or SMS messages), plus ours at the end:
 * `campaignId` (our id), `code` and `totalContacts`.
 */
export function campaignView(c: CampaignDoc) {
  return {
    id: c.numericId,
    name: c.name,
    campaignType: 'Voice',
    zone: ZONE,
    startDateStr: dateStr(c.startedAt),
    endDateStr: dateStr(c.completedAt ?? c.cancelledAt),
    terminatedDateStr: dateStr(c.cancelledAt),
    pausedDateStr: c.status === 'paused' ? dateStr(c.pausedAt) : '',
    lastModifiedBy: c.accountId,
    lastModifiedDateStr: dateStr(c.updatedAt, true),
    createdBy: c.accountId,
    createdDateStr: dateStr(c.createdAt, true),
    campaignSegments: [],
    campaignMessages: [],
    campaignMails: [],
    campaignSms: [],
    campaignVoiceSms: [],
    campaignPasses: [],
    campaignChannelPriorities: [],
    status: voltmxStatus(c.status),
    campaignId: c._id,
    code: c.code,
    totalContacts: c.counts.total,
  };
}
