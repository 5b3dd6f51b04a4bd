import type { AccountLinesInput } from '../../workflows/account-lines';
import { accountLinesWorkflowId } from '../domain/ids';
import { AccountIdKey } from '../domain/search-attributes';

/**
 * How an account's lines workflow is started, for signal-with-start: by a campaign's report of its
 * lines, or by an operator's new cap.
 */
export function accountLinesStart(accountId: string, taskQueue: string) {
  return {
    workflowId: accountLinesWorkflowId(accountId),
    taskQueue,
    args: [{ accountId }] as [AccountLinesInput],
    typedSearchAttributes: [{ key: AccountIdKey, value: accountId }],
  };
}
