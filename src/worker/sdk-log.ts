import { contactWorkflow } from '../../workflows/contact';

/**
 * The SDK's warning of a workflow task that took over 5 s, from a contact workflow. A contact's
 * task stays open while its local activities run, and its first one holds a dial that waits for
 * the contact's scheduled time (up to the campaign's lead, `START_AHEAD_MAX_MS`) by design; with
 * dozens of such contacts a second, the warning would bury every other line. A contact whose
 * workflow code itself stalls still shows: the SDK cannot keep such a task alive past its timeout
 * (10 s), and the server records the timeout in the contact's history.
 */
export function isContactTaskDurationWarning(message: string, meta: Record<string, unknown> = {}): boolean {
  return message.startsWith('[TMPRL1104]') && meta.workflow_type === contactWorkflow.name;
}
