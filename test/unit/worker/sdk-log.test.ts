import { isContactTaskDurationWarning } from '../../../src/worker/sdk-log';

const slowTask = '[TMPRL1104] run-1:4:1 Workflow task duration exceeded 5 seconds.';

describe('the SDK warnings a worker logs lower', () => {
  it("takes a contact's slow task, held by its dial waiting for the scheduled time, for what it is", () => {
    expect(isContactTaskDurationWarning(slowTask, { workflow_type: 'contactWorkflow' })).toBe(true);
  });

  it("keeps the warning for any other workflow's slow task, and every other warning", () => {
    expect(isContactTaskDurationWarning(slowTask, { workflow_type: 'campaignWorkflow' })).toBe(false);
    expect(isContactTaskDurationWarning(slowTask)).toBe(false);
    expect(
      isContactTaskDurationWarning('[TMPRL1101] Potential deadlock detected', {
        workflow_type: 'contactWorkflow',
      }),
    ).toBe(false);
  });
});
