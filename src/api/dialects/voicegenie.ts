import express, { type Router } from 'express';
import type { DialectDeps } from './deps';

export function voicegenieRouter(_deps: DialectDeps): Router {
  return express.Router();
}
