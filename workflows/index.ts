export { campaignWorkflow } from './campaign';
export { contactWorkflow } from './contact';
