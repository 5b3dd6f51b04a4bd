import { callRoutes } from './calls';
import { campaignRoutes } from './campaigns';
import { contactRoutes } from './contacts';
import { dncRoutes } from './dnc';
import type { AnyRoute } from './route';

/** Every /v1 route: the router serves exactly these, and the OpenAPI document lists exactly these. */
export const v1Routes: readonly AnyRoute[] = [
  ...campaignRoutes,
  ...contactRoutes,
  ...callRoutes,
  ...dncRoutes,
];
