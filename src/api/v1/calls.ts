import { notFound } from '../../campaigns/errors';
import { callsOf } from '../../campaigns/store';
import { page, presentCall } from './present';
import { CAMPAIGN_NOT_FOUND, defineRoute } from './route';
import {
  callListQuery,
  callPageSchema,
  callParams,
  callSchema,
  campaignParams,
  redialRequestSchema,
  redialResultSchema,
} from './schemas';

export const callRoutes = [
  defineRoute({
    operationId: 'listCalls',
    method: 'get',
    path: '/v1/campaigns/:id/calls',
    tag: 'Calls',
    summary: "List a campaign's calls",
    description: 'One record per dial attempt, oldest first.',
    params: campaignParams,
    query: callListQuery,
    success: { status: 200, description: 'A page of calls', schema: callPageSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND },
    async handler({ deps, account, params, query }) {
      const campaign = await deps.ctx.service.getCampaign(account._id, params.id);
      const { limit, offset, outcome } = query;
      const found = await deps.ctx.store.listCalls(campaign._id, {
        limit: limit + 1,
        offset,
        ...(outcome && { outcomes: outcome }),
      });
      return page(found, { limit, offset }, presentCall);
    },
  }),
  defineRoute({
    operationId: 'getCall',
    method: 'get',
    path: '/v1/campaigns/:id/calls/:callId',
    tag: 'Calls',
    summary: 'Get a call',
    params: callParams,
    success: { status: 200, description: 'The call', schema: callSchema },
    errors: { 404: 'No such campaign in your account, or no such call in it' },
    async handler({ deps, account, params }) {
      const campaign = await deps.ctx.service.getCampaign(account._id, params.id);
      const store = deps.ctx.store;
      const byId = await store.getCall(params.callId);
      const call =
        byId?.campaignId === campaign._id
          ? byId
          : await store.calls.findOne({ ...callsOf(campaign._id), callId: params.callId });
      if (!call) throw notFound('Call');
      return presentCall(call);
    },
  }),
  defineRoute({
    operationId: 'redialContacts',
    method: 'post',
    path: '/v1/campaigns/:id/redial',
    tag: 'Calls',
    summary: 'Redial finished calls',
    description:
      'Gives contacts one more attempt: the contacts of the named calls, or every contact whose last call ended with one of the outcomes. A running campaign dials them at once; a completed one runs again for them.',
    params: campaignParams,
    body: redialRequestSchema,
    idempotent: true,
    success: { status: 200, description: 'What will be redialed', schema: redialResultSchema },
    errors: {
      404: CAMPAIGN_NOT_FOUND,
      409: '`INVALID_CAMPAIGN_STATE`: a draft, scheduled or cancelled campaign',
    },
    async handler({ deps, account, params, body }) {
      const service = deps.ctx.service;
      const campaign = await service.getCampaign(account._id, params.id);
      let result;
      if (body.call_ids) {
        // Calls are named by our id or the provider's; the service selects by the provider's.
        const providerIds = await Promise.all(
          body.call_ids.map(async (id) => {
            const call = await deps.ctx.store.getCall(id);
            return call?.campaignId === campaign._id && call.callId ? call.callId : id;
          }),
        );
        result = await service.redialContacts(account._id, campaign._id, { callIds: providerIds });
      } else {
        const criteria = body.criteria as NonNullable<typeof body.criteria>;
        result = await service.redialContacts(account._id, campaign._id, {
          criteria: {
            outcomes: criteria.outcomes,
            excludeDnc: criteria.exclude_dnc,
            ...(criteria.max_previous_attempts !== undefined && {
              maxPreviousAttempts: criteria.max_previous_attempts,
            }),
          },
        });
      }
      // The service may start a completed campaign again after committing the batch: report that.
      const now = await service.getCampaign(account._id, campaign._id);
      return {
        campaign_id: now._id,
        campaign_status: now.status,
        redial_batch_id: result.redialBatchId,
        considered: result.considered,
        scheduled: result.scheduled,
        excluded: result.excluded,
      };
    },
  }),
];
