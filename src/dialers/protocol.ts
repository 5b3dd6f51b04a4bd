import { z } from 'zod';
import { callOutcomes } from '../domain/status';

/**
 * The call-provider protocol (docs/ARCHITECTURE.md, "The call-provider protocol"): what the dialer
 * sends, what the provider answers, and the status callbacks it posts back. Shared by the HTTP
 * dialer, the simulated carrier and our webhook, so the three cannot drift apart.
 */
export const protocolHeaders = {
  idempotencyKey: 'idempotency-key',
  signature: 'x-signature',
  signatureTimestamp: 'x-signature-timestamp',
} as const;

/** E.164: a plus sign, then up to 15 digits, the first not zero. */
export const e164Schema = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number such as +14155550123');

export const callMetadataSchema = z.object({
  workflowId: z.string().min(1),
  campaignId: z.string().min(1),
  contactId: z.string().min(1),
  accountId: z.string().min(1),
  attempt: z.number().int().min(1),
  /** Our MAC over the call's key and the fields above (`call-token.ts`); absent from older dialers' calls. */
  token: z.string().min(1).max(128).optional(),
});
export type CallMetadata = z.infer<typeof callMetadataSchema>;

export const callRequestSchema = z.object({
  idempotencyKey: z.string().min(1).max(512),
  to: e164Schema,
  from: e164Schema.optional(),
  context: z.record(z.string(), z.json()),
  callbackUrl: z.url({ protocol: /^https?$/ }),
  metadata: callMetadataSchema,
});
export type CallRequest = z.infer<typeof callRequestSchema>;

/** Answers worth repeating the same request for: the peer may do better on a later try. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Where a call stands at the provider; a duplicate request is answered with its first call's status. */
export const callStatusSchema = z.enum(['queued', 'in_progress', 'completed']);
export type CallStatus = z.infer<typeof callStatusSchema>;

export const callAcceptedSchema = z.object({
  callId: z.string().min(1),
  status: callStatusSchema,
  duplicate: z.boolean().optional(),
});
export type CallAccepted = z.infer<typeof callAcceptedSchema>;

/** Outcomes a provider reports; `cancelled` is ours alone (a call we never placed). */
export const providerOutcomeSchema = z.enum(callOutcomes).exclude(['cancelled']);
export type ProviderOutcome = z.infer<typeof providerOutcomeSchema>;
export const providerOutcomes = providerOutcomeSchema.options;

const callbackCommon = {
  callId: z.string().min(1),
  idempotencyKey: z.string().min(1),
  durationS: z.number().int().min(0).optional(),
  optOut: z.boolean().optional(),
  occurredAt: z.iso.datetime({ offset: true }),
  metadata: callMetadataSchema,
};

export const callbackEventSchema = z.discriminatedUnion('event', [
  z.object({ ...callbackCommon, event: z.literal('in_progress'), outcome: providerOutcomeSchema.optional() }),
  z.object({ ...callbackCommon, event: z.literal('completed'), outcome: providerOutcomeSchema }),
]);
export type CallbackEvent = z.infer<typeof callbackEventSchema>;
export type CallbackEventName = CallbackEvent['event'];
