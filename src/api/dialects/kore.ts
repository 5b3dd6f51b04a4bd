/** The Kore.ai Contact Center dialect: see ./kore/routes.ts. */
export { koreRouter } from './kore/routes';
