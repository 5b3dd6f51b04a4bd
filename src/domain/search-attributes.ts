import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/**
 * Custom search attributes, so an operator can filter runs in the Temporal Web UI
 * (for example `CampaignId = "…" AND CallOutcome = "busy"`).
 */
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const ContactIdKey = defineSearchAttributeKey('ContactId', SearchAttributeType.KEYWORD);
export const CallOutcomeKey = defineSearchAttributeKey('CallOutcome', SearchAttributeType.KEYWORD);
export const ContactStatusKey = defineSearchAttributeKey('ContactStatus', SearchAttributeType.KEYWORD);
export const AccountIdKey = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [
  CampaignIdKey,
  ContactIdKey,
  CallOutcomeKey,
  ContactStatusKey,
  AccountIdKey,
];

/**
 * A contact workflow's search attributes at its start, whoever starts it (its campaign's run, or
 * an activity for a run winding down): its campaign and contact, and whether it starts dialing.
 */
export function contactStartAttributes(
  campaignId: string,
  contactId: string,
  permitted: boolean,
): SearchAttributePair[] {
  return [
    { key: CampaignIdKey, value: campaignId },
    { key: ContactIdKey, value: contactId },
    { key: ContactStatusKey, value: permitted ? 'dialing' : 'pending' },
  ];
}
