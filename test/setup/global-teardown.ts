import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__testInfra;
  if (!state) return;
  globalThis.__testInfra = undefined;
  await state.infra?.stop();
  rmSync(state.dataDir, { recursive: true, force: true });
}
