/**
 * Workflow ids and idempotency keys. Deterministic, so that a retried start finds the running
 * workflow instead of starting a second one, and a retried dial reuses its key.
 */
export function campaignWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}`;
}

/** The one workflow that shares out an account's cap on live calls among its campaigns. */
export function accountLinesWorkflowId(accountId: string): string {
  return `account-${accountId}-lines`;
}

/** What the id of every contact workflow of a campaign, and so every dial key of it, begins with. */
export function contactWorkflowIdPrefix(campaignId: string): string {
  return `campaign-${campaignId}-contact-`;
}

export function contactWorkflowId(campaignId: string, contactId: string): string {
  return `${contactWorkflowIdPrefix(campaignId)}${contactId}`;
}

/** One key per dial attempt: a provider that sees it twice must not place a second call. */
export function dialIdempotencyKey(contactWorkflowId: string, attempt: number): string {
  return `${contactWorkflowId}:${attempt}`;
}

/** Dial activities run on their own task queue, so the server can cap their rate across all workers. */
export function dialTaskQueue(taskQueue: string): string {
  return `${taskQueue}-dial`;
}
