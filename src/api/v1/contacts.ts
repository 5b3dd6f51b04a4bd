import type { CountryCode } from 'libphonenumber-js';
import { notFound } from '../../campaigns/errors';
import type { ContactInput } from '../../campaigns/schemas';
import { contactIdFor, isContactIdOf } from '../../campaigns/store';
import type { CampaignDoc } from '../../campaigns/model';
import { normalizePhone } from '../../phones/normalize';
import type { DialectDeps } from '../dialects/deps';
import { validationError, zodIssues } from './errors';
import { page, presentContact } from './present';
import { CAMPAIGN_NOT_FOUND, defineRoute } from './route';
import {
  campaignParams,
  contactListQuery,
  contactPageSchema,
  contactParams,
  contactSchema,
  contactUploadSchema,
  uploadResultSchema,
} from './schemas';

type Rejection = { index: number; field: string; reason: string; phone_number?: string };

/**
 * Splits an upload into the contacts that pass the shared contact schema and a rejection per
 * problem of the others. Only a body that is no list of contacts at all (or too long) fails whole.
 */
function screenContacts(raw: unknown): {
  valid: { index: number; input: ContactInput }[];
  rejected: Rejection[];
} {
  if (raw === undefined) {
    throw validationError([{ path: '(body)', message: 'is required: send a JSON array of contacts' }]);
  }
  const whole = contactUploadSchema.safeParse(raw);
  if (whole.success) return { valid: whole.data.map((input, index) => ({ input, index })), rejected: [] };
  const bodyIssues = zodIssues(whole.error).filter((i) => i.path === '(body)');
  if (bodyIssues.length > 0 || !Array.isArray(raw)) throw validationError(bodyIssues);

  const valid: { index: number; input: ContactInput }[] = [];
  const rejected: Rejection[] = [];
  (raw as unknown[]).forEach((item, index) => {
    const one = contactUploadSchema.element.safeParse(item);
    if (one.success) {
      valid.push({ index, input: one.data });
      return;
    }
    const phone = (item as { phone_number?: unknown } | null)?.phone_number;
    for (const issue of zodIssues(one.error)) {
      rejected.push({
        index,
        field: issue.path === '(body)' ? '(contact)' : issue.path,
        reason: issue.message,
        ...(typeof phone === 'string' && { phone_number: phone }),
      });
    }
  });
  return { valid, rejected };
}

/** A contact by its id or, failing that, by its number (ids derive from campaign and E.164 number). */
function contactIdOf(deps: DialectDeps, campaign: CampaignDoc, ref: string): string {
  if (isContactIdOf(campaign, ref)) return ref;
  const phone = normalizePhone(ref, deps.ctx.config.DEFAULT_PHONE_REGION as CountryCode);
  return phone.ok ? contactIdFor(campaign, phone.e164) : ref;
}

export const contactRoutes = [
  defineRoute({
    operationId: 'uploadContacts',
    method: 'post',
    path: '/v1/campaigns/:id/contacts',
    tag: 'Contacts',
    summary: 'Add contacts to a campaign',
    description:
      'Numbers are normalised to E.164; a number already in the campaign (however written) counts as a duplicate; numbers on a do-not-call list are added as `skipped_dnc` and never called. Contacts that break a rule are listed in `rejected` (one entry per problem) and the rest are taken. A running campaign dials new contacts at once.',
    params: campaignParams,
    rawBody: contactUploadSchema,
    idempotent: true,
    success: { status: 200, description: 'What the upload did', schema: uploadResultSchema },
    errors: {
      404: CAMPAIGN_NOT_FOUND,
      409: '`CAMPAIGN_FINISHED`: a completed, cancelled or failed campaign',
    },
    async handler({ deps, account, params, rawBody }) {
      const { valid, rejected } = screenContacts(rawBody);
      const service = deps.ctx.service;
      if (valid.length === 0) {
        const campaign = await service.getCampaign(account._id, params.id);
        return {
          campaign_id: campaign._id,
          uploaded: 0,
          duplicates: 0,
          skipped_dnc: 0,
          scheduled: 0,
          immediate: 0,
          rejected,
          total_contacts: campaign.counts.total,
        };
      }
      const result = await service.uploadContacts(
        account._id,
        params.id,
        valid.map((v) => v.input),
      );
      for (const r of result.rejected) {
        rejected.push({
          index: valid[r.index]?.index ?? r.index,
          field: r.field,
          reason: r.message,
          ...(r.phone_number !== undefined && { phone_number: r.phone_number }),
        });
      }
      return {
        campaign_id: result.campaign._id,
        uploaded: result.uploaded,
        duplicates: result.duplicates,
        skipped_dnc: result.skippedDnc,
        scheduled: result.scheduled,
        immediate: result.immediate,
        rejected: rejected.sort((a, b) => a.index - b.index),
        total_contacts: result.campaign.counts.total,
      };
    },
  }),
  defineRoute({
    operationId: 'listContacts',
    method: 'get',
    path: '/v1/campaigns/:id/contacts',
    tag: 'Contacts',
    summary: "List a campaign's contacts",
    description: 'In upload order.',
    params: campaignParams,
    query: contactListQuery,
    success: { status: 200, description: 'A page of contacts', schema: contactPageSchema },
    errors: { 404: CAMPAIGN_NOT_FOUND },
    async handler({ deps, account, params, query }) {
      const campaign = await deps.ctx.service.getCampaign(account._id, params.id);
      const { limit, offset, status } = query;
      const found = await deps.ctx.store.listContacts(campaign, {
        limit: limit + 1,
        offset,
        ...(status && { statuses: status }),
      });
      return page(found, { limit, offset }, presentContact);
    },
  }),
  defineRoute({
    operationId: 'getContact',
    method: 'get',
    path: '/v1/campaigns/:id/contacts/:contactId',
    tag: 'Contacts',
    summary: 'Get a contact',
    description:
      "While the campaign runs, `status`, `attempts` and `next_attempt_at` come live from the contact's workflow: it shows `waiting_window` or `retry_scheduled` with the time of the next dial. The list shows the stored record.",
    params: contactParams,
    success: { status: 200, description: 'The contact', schema: contactSchema },
    errors: { 404: 'No such campaign in your account, or no such contact in it' },
    async handler({ deps, account, params }) {
      const campaign = await deps.ctx.service.getCampaign(account._id, params.id);
      const contact = await deps.ctx.store.getContact(contactIdOf(deps, campaign, params.contactId));
      if (!contact || contact.campaignId !== campaign._id) throw notFound('Contact');
      return presentContact(await deps.ctx.service.liveContact(campaign, contact));
    },
  }),
];
