/** The HCL Volt MX Foundry Engagement Services dialect: see ./voltmx/routes.ts. */
export { voltmxRouter } from './voltmx/routes';
