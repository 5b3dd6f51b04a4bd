import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
