import express, { type Router } from 'express';
import type { DialectDeps } from './deps';

export function voltmxRouter(_deps: DialectDeps): Router {
  return express.Router();
}
