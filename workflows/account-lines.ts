import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { allocateLines, applyReport, type LineHolder, type LinesReport } from '../src/domain/account-lines';
import { campaignWorkflowId } from '../src/domain/ids';
import {
  accountCapChangedSignal,
  accountCapSetSignal,
  accountLinesQuery,
  linesGrantedSignal,
  linesWantedSignal,
} from './messages';

/**
 * How often the cap is read again (an operator may change it), and, while a campaign wants lines
 * it cannot have, the holders are sent their grant again: one whose workflow is gone without
 * leaving (terminated by an operator) is found so, and dropped.
 */
const REFRESH_INTERVAL_MS = 60_000;
/** How long a fresh run waits for the reports it asked for before it grants without them. */
const ASKED_REPORTS_WAIT_MS = 10_000;

const { loadAccountCap, activeCampaignIds } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export interface AccountLinesInput {
  accountId: string;
  /** State handed over by the previous run when continuing as new. */
  carry?: { cap: number; holders: LineHolder[] };
}

/**
 * Shares an account's cap on live calls among its running campaigns. Started by the first
 * campaign's report (signal-with-start), it grants each campaign lines by `allocateLines` and
 * completes when the last campaign has left.
 */
export async function accountLinesWorkflow(input: AccountLinesInput): Promise<void> {
  const { accountId } = input;
  let holders: LineHolder[] = input.carry?.holders ?? [];
  const reports: LinesReport[] = [];
  setHandler(linesWantedSignal, (report) => {
    reports.push(report);
  });
  let capChanged = false;
  setHandler(accountCapChangedSignal, () => {
    capChanged = true;
  });
  let cap = input.carry?.cap ?? 0;
  setHandler(accountLinesQuery, () => ({
    accountId,
    cap,
    inUse: holders.reduce((sum, h) => sum + h.inUse, 0),
    holders,
  }));
  if (!input.carry) {
    cap = await loadAccountCap(accountId);
    // Histories from before fresh runs asked for reports replay without asking.
    if (patched('account-lines-asks-for-reports')) await askForReports(await activeCampaignIds(accountId));
    // What a change that started this run asks for is done.
    capChanged = false;
  }

  /**
   * A fresh run (the account's first, or one after an operator terminated the last) knows only
   * the campaign whose report started it, while others may hold lines an earlier run granted, or
   * run outside the cap since before it was set; and a cap an operator sets reaches only the
   * campaigns that report. It asks every running campaign of the account to report (and so to
   * join the cap), and grants nothing until they have, or for 10 s.
   */
  async function askForReports(campaignIds: string[]): Promise<void> {
    const asked: string[] = [];
    await Promise.all(
      campaignIds.map(async (campaignId) => {
        try {
          await getExternalWorkflowHandle(campaignWorkflowId(campaignId)).signal(accountCapSetSignal);
          asked.push(campaignId);
        } catch {
          // Ended since it was listed: it holds no lines.
        }
      }),
    );
    const reported = () => asked.every((id) => reports.some((r) => r.campaignId === id));
    if (!(await condition(reported, ASKED_REPORTS_WAIT_MS))) {
      log.warn('granting before every campaign asked has reported', { accountId, asked });
    }
  }

  /** Sends grants; returns the campaigns that could not take one because their workflow is gone. */
  const send = async (campaignIds: string[]): Promise<Set<string>> => {
    const gone = new Set<string>();
    await Promise.all(
      campaignIds.map(async (campaignId) => {
        const holder = holders.find((h) => h.campaignId === campaignId);
        if (!holder) return;
        try {
          await getExternalWorkflowHandle(campaignWorkflowId(campaignId)).signal(linesGrantedSignal, {
            lines: holder.granted,
            seq: holder.sentSeq,
          });
        } catch (err) {
          log.warn('campaign gone without leaving; its lines are free again', {
            campaignId,
            error: String(err),
          });
          gone.add(campaignId);
        }
      }),
    );
    return gone;
  };

  let refreshDue = false;
  const armRefresh = () =>
    void sleep(REFRESH_INTERVAL_MS).then(() => {
      refreshDue = true;
    });
  armRefresh();

  const idle = () => reports.length === 0 && !capChanged;
  let again = true;
  for (;;) {
    if (!again) await condition(() => reports.length > 0 || refreshDue || capChanged);
    again = false;
    let probe: string[] = [];
    if (refreshDue) {
      refreshDue = false;
      armRefresh();
      cap = await loadAccountCap(accountId);
      if (holders.some((h) => h.want > h.granted)) probe = holders.map((h) => h.campaignId);
    }
    if (capChanged) {
      capChanged = false;
      cap = await loadAccountCap(accountId);
      // A cap taken off needs no one to join it; those under it keep reporting, and get what they want.
      if (cap > 0) await askForReports(await activeCampaignIds(accountId));
    }
    for (const report of reports.splice(0)) holders = applyReport(holders, report);
    const allocated = allocateLines(cap, holders);
    holders = allocated.holders;
    const gone = await send([...new Set([...allocated.changed, ...probe])]);
    if (gone.size > 0) {
      holders = holders.filter((h) => !gone.has(h.campaignId));
      again = true;
      continue;
    }
    if (holders.length === 0 && idle()) {
      await condition(allHandlersFinished);
      if (idle()) return;
    }
    if (workflowInfo().continueAsNewSuggested && idle()) {
      await condition(allHandlersFinished);
      if (idle()) return continueAsNew<typeof accountLinesWorkflow>({ accountId, carry: { cap, holders } });
    }
  }
}
