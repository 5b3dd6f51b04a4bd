import type { EngineContext } from '../../runtime/context';
import type { ApiKeyResolver } from '../auth';

/** What every dialect's router is built from. */
export interface DialectDeps {
  ctx: EngineContext;
  keys: ApiKeyResolver;
}
