import { CAMPAIGN_NOT_FOUND, defineRoute } from './route';
import { page, presentCampaign, presentStatus } from './present';
import {
  campaignCreateSchema,
  campaignListQuery,
  campaignListSchema,
  campaignParams,
  campaignSchema,
  campaignStatusSchema,
} from './schemas';

const tag = 'Campaigns';
export const campaignRoutes = [
  defineRoute({
    operationId: 'createCampaign',
    method: 'post',
    path: '/v1/campaigns',
    tag,
    summary: 'Create a campaign',
    description: 'Creates a campaign in `draft`. Upload contacts, then start it.',
    body: campaignCreateSchema,
    idempotent: true,
    success: { status: 201, description: 'The new campaign', schema: campaignSchema },
    async handler({ deps, account, body, res }) {
      const campaign = await deps.ctx.service.createCampaign(account._id, body);
      res.setHeader('Location', `/v1/campaigns/${campaign._id}`);
      return presentCampaign(campaign);
    },
  }),
  defineRoute({
    operationId: 'listCampaigns',
    method: 'get',
    path: '/v1/campaigns',
    tag,
    summary: 'List campaigns',
    description: 'Newest first.',
    query: campaignListQuery,
    success: { status: 200, description: 'A page of campaigns', schema: campaignListSchema },
    async handler({ deps, account, query }) {
      const { limit, offset, status } = query;
      const found = await deps.ctx.service.listCampaigns(account._id, {
        limit: limit + 1,
        offset,
        ...(status && { statuses: status }),
      });
      return page(found, { limit, offset }, presentCampaign);
    },
  }),
  defineRoute({
    operationId: 'getCampaign',
    method: 'get',
    path: '/v1/campaigns/:id',
    tag,
    summary: 'Get a campaign',
    params: campaignParams,
    success: { status: 200, description: 'The campaign', schema: campaignSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND },
    async handler({ deps, account, params }) {
      return presentCampaign(await deps.ctx.service.getCampaign(account._id, params.id));
    },
  }),
  defineRoute({
    operationId: 'deleteCampaign',
    method: 'delete',
    path: '/v1/campaigns/:id',
    tag,
    summary: 'Delete a campaign',
    description: 'A running or paused campaign must be cancelled first.',
    params: campaignParams,
    success: { status: 204, description: 'Deleted' },
    errors: { 404: CAMPAIGN_NOT_FOUND, 409: '`CAMPAIGN_RUNNING`: the campaign is running or paused' },
    async handler({ deps, account, params }) {
      await deps.ctx.service.deleteCampaign(account._id, params.id);
    },
  }),
  defineRoute({
    operationId: 'startCampaign',
    method: 'post',
    path: '/v1/campaigns/:id/start',
    tag,
    summary: 'Start a campaign',
    description:
      'Starts dialing a `draft` or `scheduled` campaign. A paused campaign is resumed with `/resume`.',
    params: campaignParams,
    idempotent: true,
    success: { status: 200, description: 'The campaign, now running', schema: campaignSchema },
    errors: {
      404: CAMPAIGN_NOT_FOUND,
      409: '`CAMPAIGN_ALREADY_RUNNING`; `INVALID_CAMPAIGN_STATE` (finished, or `issues` name what is missing: `agentId`, `contacts`)',
      503: '`SERVICE_UNAVAILABLE`: the workflow could not be started; try again',
    },
    async handler({ deps, account, params }) {
      const { campaign } = await deps.ctx.service.startCampaign(account._id, params.id, {
        resumePaused: false,
      });
      return presentCampaign(campaign);
    },
  }),
  defineRoute({
    operationId: 'pauseCampaign',
    method: 'post',
    path: '/v1/campaigns/:id/pause',
    tag,
    summary: 'Pause a campaign',
    description: 'No new calls are placed; calls in progress finish.',
    params: campaignParams,
    idempotent: true,
    success: { status: 200, description: 'The campaign, now paused', schema: campaignSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND, 409: '`CAMPAIGN_NOT_RUNNING`' },
    async handler({ deps, account, params }) {
      const { campaign } = await deps.ctx.service.pauseCampaign(account._id, params.id);
      return presentCampaign(campaign);
    },
  }),
  defineRoute({
    operationId: 'resumeCampaign',
    method: 'post',
    path: '/v1/campaigns/:id/resume',
    tag,
    summary: 'Resume a paused campaign',
    params: campaignParams,
    idempotent: true,
    success: { status: 200, description: 'The campaign, running again', schema: campaignSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND, 409: '`CAMPAIGN_NOT_PAUSED`; `CAMPAIGN_ALREADY_RUNNING`' },
    async handler({ deps, account, params }) {
      return presentCampaign(await deps.ctx.service.resumeCampaign(account._id, params.id));
    },
  }),
  defineRoute({
    operationId: 'cancelCampaign',
    method: 'post',
    path: '/v1/campaigns/:id/cancel',
    tag,
    summary: 'Cancel a campaign',
    description: 'Stops it for good: contacts not yet called end `cancelled`.',
    params: campaignParams,
    idempotent: true,
    success: { status: 200, description: 'The campaign, now cancelled', schema: campaignSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND, 409: '`INVALID_CAMPAIGN_STATE`: already finished' },
    async handler({ deps, account, params }) {
      return presentCampaign(await deps.ctx.service.cancelCampaign(account._id, params.id));
    },
  }),
  defineRoute({
    operationId: 'getCampaignStatus',
    method: 'get',
    path: '/v1/campaigns/:id/status',
    tag,
    summary: 'Live status of a campaign',
    description:
      'Counters, live calls and the estimated completion, from the running campaign workflow; from the stored record once it is not running (or does not answer in time).',
    params: campaignParams,
    success: { status: 200, description: 'Where the campaign stands', schema: campaignStatusSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND },
    async handler({ deps, account, params }) {
      return presentStatus(await deps.ctx.service.getStatus(account._id, params.id));
    },
  }),
];
