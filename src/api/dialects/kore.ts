import express, { type Router } from 'express';
import type { DialectDeps } from './deps';

export function koreRouter(_deps: DialectDeps): Router {
  return express.Router();
}
