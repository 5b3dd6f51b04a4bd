export { accountLinesWorkflow } from './account-lines';
export { campaignWorkflow } from './campaign';
export { contactWorkflow } from './contact';
