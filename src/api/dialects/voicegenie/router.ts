import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import multer from 'multer';
import type { CountryCode } from 'libphonenumber-js';
import { CampaignError, type FieldIssue } from '../../../campaigns/errors';
import type { CampaignDoc } from '../../../campaigns/model';
import { CampaignReports, callsCsv, emptyCallStats } from '../../../campaigns/reports';
import type { CampaignStatusView } from '../../../campaigns/service';
import type { CampaignStatus } from '../../../domain/status';
import { contactProblems } from '../../../campaigns/contact-rules';
import { accountOf, requireApiKey } from '../../auth';
import { jsonBody } from '../../http';
import { idempotent } from '../../idempotency';
import type { DialectDeps } from '../deps';
import { mapLimit } from '../../../map-limit';
import { errorHandler, RequestProblem, sendError, sendOk, statusWord, type Family } from './envelope';
import {
  campaignRef,
  check,
  contactsFrom,
  contactsFromCsv,
  downloadRequest,
  formValue,
  historyRequest,
  objectBody,
  redialRequest,
  settingsFrom,
  statusesRequest,
  type Body,
} from './requests';
import {
  campaignView,
  historyRowView,
  iso,
  redialConfigView,
  startEstimate,
  startV2View,
  statsView,
  statusItemView,
  statusSummary,
} from './views';

/** Most campaigns one Get Campaign Statuses answer lists and counts. */
const MAX_LISTED = 100_000;
/** Campaigns whose live state one Get Campaign Statuses answer asks workflows for at a time. */
const STATUS_CONCURRENCY = 8;

/**
 * The VoiceGenie REST dialect at the root path, as VoiceGenie serves it: `x-api-key` auth, the
 * `{success, message, data | error}` envelope, GET for start / pause / delete.
 *
 * Shapes come from the seed pages (Start Campaign, Start Campaign v2, Upload Campaign Data and
 * Run) and from VoiceGenie's pages for Pause Campaign, Get Campaign Stats, Get Campaign History,
 * Upload Campaign Data and Download Campaign Stats; Create Campaign, Delete Campaign, Get Campaign
 * Statuses and Redial Campaign Calls follow the same style.
 */
export function voicegenieRouter(deps: DialectDeps): Router {
  const { ctx } = deps;
  const { service } = ctx;
  const log = ctx.log.child({ component: 'voicegenie' });
  const reports = new CampaignReports(ctx.store);
  const region = ctx.config.DEFAULT_PHONE_REGION as CountryCode;
  const router = express.Router();

  // The message starts as VoiceGenie's 401 does, then says which of the two it is.
  const auth = requireApiKey(deps.keys, (res, message) =>
    sendError(
      res,
      401,
      'UNAUTHORIZED',
      /^missing/i.test(message)
        ? 'Invalid or missing API key: no x-api-key header was sent'
        : 'Invalid or missing API key: this x-api-key is not valid',
    ),
  );
  const json = jsonBody(ctx.config.BODY_LIMIT);
  const once = idempotent(ctx.idempotency, (res, status, code, message) =>
    sendError(res, status, code, message),
  );
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: byteLimit(ctx.config.BODY_LIMIT), files: 1, fields: 50 },
  }).any();
  /** JSON, or multipart/form-data with one CSV file turned into `contacts` (so Idempotency-Key covers the file). */
  const jsonOrCsv: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) return json(req, res, next);
    upload(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        req.body = csvBody(req);
        (res.locals as { csv?: boolean }).csv = true;
        next();
      } catch (problem) {
        next(problem);
      }
    });
  };

  /** GET route: authenticated, rendered in the family's envelope. */
  const get = (path: string, family: Family, handler: Handler) =>
    router.get(path, auth, wrap(handler), errorHandler(family, log));
  /** POST route with a JSON body; `creates` routes honour Idempotency-Key. */
  const post = (
    path: string,
    family: Family,
    handler: Handler,
    opts: { creates: boolean; body?: RequestHandler } = { creates: false },
  ) =>
    router.post(
      path,
      auth,
      opts.body ?? json,
      ...(opts.creates ? [once] : []),
      wrap(handler),
      errorHandler(family, log),
    );

  /* ------------------------------------------------------------ start */

  // Seed 001: start a draft campaign, or resume a paused one.
  get('/startCampaign/:campaignId', 'v1', async (req, res) => {
    const accountId = accountOf(res)._id;
    const { campaign } = await service.startCampaign(accountId, param(req), { resumePaused: true });
    sendOk(
      res,
      'v1',
      {
        campaign_id: campaign._id,
        status: statusWord('v1', campaign.status),
        started_at: iso(campaign.startedAt),
      },
      'Campaign started successfully',
    );
  });

  // Seed 000: start now; counts of scheduled and immediate calls; the 400 carries an error object.
  get('/startCampaignv2/:campaignId', 'v2', async (req, res) => {
    const accountId = accountOf(res)._id;
    let campaign: CampaignDoc;
    try {
      ({ campaign } = await service.startCampaign(accountId, param(req), { resumePaused: false }));
    } catch (err) {
      if (!(err instanceof CampaignError) || err.code !== 'CAMPAIGN_ALREADY_RUNNING') throw err;
      const { current_status, started_at } = err.details as {
        current_status: CampaignStatus;
        started_at?: string;
      };
      res.status(400).json({
        success: false,
        message: 'Campaign is already in progress',
        error: {
          code: 'CAMPAIGN_ALREADY_RUNNING',
          current_status: statusWord('v2', current_status),
          started_at: iso(started_at === undefined ? undefined : new Date(started_at)),
        },
      });
      return;
    }
    const now = Date.now();
    const split = await reports.scheduleSplit(campaign, new Date(now));
    sendOk(res, 'v2', startV2View(campaign, split, now), 'Campaign started successfully');
  });

  /* ------------------------------------------------------------ create and upload */

  // Create Campaign: the settings of Upload Campaign Data and Run, without contacts.
  post(
    '/createCampaign',
    'v2',
    async (req, res) => {
      const body = objectBody(req.body);
      const { settings, issues } = settingsFrom(body);
      if (body.contacts !== undefined) {
        issues.push({
          path: 'contacts',
          message:
            'are not taken here: add them with POST /uploadCampaignData (or use /uploadCampaignDataAndRun)',
        });
      }
      check(issues);
      const campaign = await service.createCampaign(accountOf(res)._id, settings!);
      sendOk(
        res,
        'v2',
        { campaign: campaignView(campaign), redial_config: redialConfigView(campaign) },
        'Campaign created successfully',
      );
    },
    { creates: true },
  );

  // Upload Campaign Data: contacts for an existing campaign (campaign_id), or for a new one
  // (campaign_name / campaignName and its settings); JSON or a multipart CSV file.
  post(
    '/uploadCampaignData',
    'v1',
    async (req, res) => {
      const accountId = accountOf(res)._id;
      const body = objectBody(req.body);
      const { contacts, issues } = contactsFrom(body.contacts);
      if (body.schedule_time !== undefined) {
        issues.push({
          path: 'schedule_time',
          message:
            'is not supported: start the campaign with GET /startCampaign/:campaignId, or give each contact a scheduledCallDateTime in a campaign with isScheduledCall',
        });
      }
      const existing = body.campaign_id ?? body.campaignId;
      let campaign: CampaignDoc;
      if (existing !== undefined) {
        const ref = campaignRef.safeParse(existing);
        if (!ref.success)
          issues.push({ path: 'campaign_id', message: ref.error.issues[0]?.message ?? 'invalid' });
        check(issues);
        campaign = await service.getCampaign(accountId, ref.data!);
      } else {
        const { settings, issues: settingIssues } = settingsFrom(body);
        if (body.campaign_name === undefined && body.campaignName === undefined) {
          issues.push({
            path: 'campaign_id',
            message: 'is required (or campaign_name, to upload into a new campaign)',
          });
        } else {
          issues.push(...settingIssues);
        }
        if (settings) {
          issues.push(
            ...contactProblems(contacts, {
              isScheduledCall: settings.isScheduledCall,
              region,
              now: Date.now(),
            }).filter((i) => i.path.endsWith('.scheduledCallDateTime')),
          );
        }
        check(issues);
        campaign = await service.createCampaign(accountId, settings!);
      }
      const result = await service.uploadContacts(accountId, campaign._id, contacts, {
        strictSchedule: true,
      });
      const fromCsv = (res.locals as { csv?: boolean }).csv === true;
      sendOk(
        res,
        'v1',
        {
          campaign_id: result.campaign._id,
          uploaded_count: result.uploaded,
          failed_count: result.rejected.length,
          errors: result.rejected.map((r) => ({
            index: r.index,
            ...(fromCsv && { row: r.index + 2 }),
            phone_number: r.phone_number ?? null,
            field: r.field,
            message: r.message,
          })),
          duplicate_count: result.duplicates,
          dnc_count: result.skippedDnc,
        },
        result.rejected.length === 0
          ? 'Campaign data uploaded successfully'
          : `Campaign data uploaded with ${result.rejected.length} contact(s) refused`,
      );
    },
    { creates: true, body: jsonOrCsv },
  );

  // Seed 003: create, upload and start in one call; nothing is created unless all of it can be.
  post(
    '/uploadCampaignDataAndRun',
    'v2',
    async (req, res) => {
      const accountId = accountOf(res)._id;
      const body = objectBody(req.body);
      const { settings, issues } = settingsFrom(body);
      const { contacts, issues: contactIssues } = contactsFrom(body.contacts);
      issues.push(...contactIssues);
      if (settings && !settings.agentId) {
        issues.push({ path: 'agentId', message: 'is required: the agent that makes the calls' });
      }
      if (settings && issues.length > 0) {
        // The request fails anyway: name the contacts' problems in the same answer.
        issues.push(
          ...contactProblems(contacts, {
            isScheduledCall: settings.isScheduledCall,
            region,
            now: Date.now(),
          }),
        );
      }
      check(issues);
      // The service checks the contacts as it writes them; their problems answer like the ones above.
      const { campaign: started, upload } = await service
        .createAndStart(accountId, settings!, contacts)
        .catch((err: unknown) => {
          if (err instanceof CampaignError && err.code === 'VALIDATION_ERROR') {
            throw new RequestProblem((err.details.issues as FieldIssue[] | undefined) ?? []);
          }
          throw err;
        });
      sendOk(
        res,
        'v2',
        {
          campaign: campaignView(started),
          execution_status: {
            calls_queued: upload.uploaded - upload.skippedDnc,
            calls_initiated: started.counts.calls.placed,
            estimated_completion: iso(startEstimate(started, Date.now())),
          },
          redial_config: redialConfigView(started),
        },
        'Campaign created and started successfully',
      );
    },
    { creates: true },
  );

  /* ------------------------------------------------------------ pause, delete */

  get('/pauseTheCampaign/:campaignId', 'v1', async (req, res) => {
    const accountId = accountOf(res)._id;
    const { campaign, snapshot } = await service.pauseCampaign(accountId, param(req));
    sendOk(
      res,
      'v1',
      {
        campaign_id: campaign._id,
        status: statusWord('v1', campaign.status),
        paused_at: iso(campaign.pausedAt),
        active_calls: snapshot.liveCalls,
      },
      'Campaign paused successfully. Active calls will complete normally.',
    );
  });

  get('/deleteCampaign/:campaignId', 'v1', async (req, res) => {
    const accountId = accountOf(res)._id;
    const campaign = await service.deleteCampaign(accountId, param(req));
    sendOk(
      res,
      'v1',
      { campaign_id: campaign._id, status: 'deleted', deleted_at: iso(new Date()) },
      'Campaign deleted successfully',
    );
  });

  /* ------------------------------------------------------------ status and reports */

  get('/getCampaignStatuses', 'v2', async (req, res) => {
    const accountId = accountOf(res)._id;
    const { statuses, limit, offset } = statusesRequest(req.query);
    const all = await service.listCampaigns(accountId, {
      limit: MAX_LISTED,
      offset: 0,
      ...(statuses && { statuses }),
    });
    const page = all.slice(offset, offset + limit);
    const [views, calls] = await Promise.all([
      mapLimit(page, STATUS_CONCURRENCY, (c) => service.getStatus(accountId, c._id).catch(gone)),
      reports.callStats(page.map((c) => c._id)),
    ]);
    const items = views
      .filter((v): v is CampaignStatusView => v !== undefined)
      .map((v) => statusItemView(v, calls.get(v.campaign._id) ?? emptyCallStats()));
    sendOk(
      res,
      'v2',
      {
        campaigns: items,
        summary: statusSummary(all, items, 'v2'),
        pagination: { total: all.length, limit, offset },
      },
      'Campaign statuses retrieved successfully',
    );
  });

  get('/getCampaignStats/:campaignId', 'v1', async (req, res) => {
    const view = await service.getStatus(accountOf(res)._id, param(req));
    const calls = (await reports.callStats([view.campaign._id])).get(view.campaign._id) ?? emptyCallStats();
    sendOk(res, 'v1', statsView(view, calls));
  });

  post('/getHistory', 'v1', async (req, res) => {
    const request = historyRequest(req.body);
    const campaign = await service.getCampaign(accountOf(res)._id, request.ref);
    const { total, rows } = await reports.history(campaign, request);
    sendOk(res, 'v1', {
      history: rows.map(historyRowView),
      pagination: {
        total,
        limit: request.limit,
        offset: request.offset,
        page: Math.floor(request.offset / request.limit) + 1,
      },
    });
  });

  get('/downloadCampaignStats', 'v1', async (req, res) => {
    const { ref } = downloadRequest(req.query);
    const campaign = await service.getCampaign(accountOf(res)._id, ref);
    const csv = callsCsv(await reports.allCalls(campaign));
    res.status(200).type('text/csv; charset=utf-8').attachment(`${campaign.code}-stats.csv`).send(csv);
  });

  /* ------------------------------------------------------------ redial */

  post(
    '/redialCampaignCalls',
    'v2',
    async (req, res) => {
      const { ref, selection } = redialRequest(req.body);
      const result = await service.redialContacts(accountOf(res)._id, ref, selection);
      const excluded = Object.values(result.excluded).reduce((n, v) => n + (v ?? 0), 0);
      sendOk(
        res,
        'v2',
        {
          campaign_id: result.campaign._id,
          redial_batch_id: result.redialBatchId,
          total_calls_to_redial: result.considered,
          calls_scheduled: result.scheduled,
          calls_excluded: excluded,
          excluded_reasons: result.excluded,
        },
        result.scheduled > 0 ? 'Redial scheduled successfully' : 'No calls were eligible for redial',
      );
    },
    { creates: true },
  );

  // Errors raised before a route is chosen (a path that does not percent-decode) reach no route's handler.
  router.use(errorHandler('v2', log));

  return router;
}

type Handler = (req: Request, res: Response) => Promise<void>;

function wrap(handler: Handler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => handler(req, res).catch(next);
}

function param(req: Request): string {
  const value = req.params.campaignId;
  return typeof value === 'string' ? value : '';
}

/** A campaign deleted between the listing and its status read is left out. */
function gone(err: unknown): undefined {
  if (err instanceof CampaignError && err.code === 'NOT_FOUND') return undefined;
  throw err;
}

/** The multipart upload as the JSON body it stands for: its text fields, and the CSV file as `contacts`. */
function csvBody(req: Request): Body {
  const files = Array.isArray(req.files) ? req.files : [];
  const fields = (req.body ?? {}) as Record<string, unknown>;
  const body: Body = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, formValue(v)]));
  const file = files[0];
  if (!file) {
    throw new RequestProblem([
      {
        path: 'file',
        message: 'is required: a CSV file (header phone_number,name,email,scheduledCallDateTime,timezone)',
      },
    ]);
  }
  if (body.contacts !== undefined) {
    throw new RequestProblem([
      { path: 'contacts', message: 'give contacts either as a CSV file or as JSON, not both' },
    ]);
  }
  body.contacts = contactsFromCsv(file.buffer, file.fieldname);
  return body;
}

/** `512kb`, `2mb`... (the forms config.ts accepts) in bytes. */
function byteLimit(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) return 2 * 1024 * 1024;
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}
