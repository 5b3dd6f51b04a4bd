import express, { type Router } from 'express';
import type { DialectDeps } from './deps';

export function v1Router(_deps: DialectDeps): Router {
  return express.Router();
}
