import { spawnSync } from 'node:child_process';
import { benchProcess } from './fixtures/bench-process';

/** Runs `npm run bench` with `args`; a refused argument must stop it before it starts any server. */
const bench = (...args: string[]) => {
  const [command, argv, options] = benchProcess(args);
  return spawnSync(command, argv, { ...options, encoding: 'utf8', timeout: 60_000 });
};

describe('the bench, given counts it cannot use', () => {
  it.each([
    [
      ['--precision-contacts', '1500,x'],
      '--precision-contacts takes whole numbers above zero, comma-separated (got "1500,x")',
    ],
    [['--precision-contacts', '1500,,1000'], '--precision-contacts takes whole numbers above zero'],
    [['--contacts', '0'], '--contacts takes a whole number above zero (got "0")'],
    [['--contacts', '100,200'], '--contacts takes a whole number above zero (got "100,200")'],
    [['--scale-contacts', '2.5'], '--scale-contacts takes a whole number above zero'],
    [['--fuzz-requests', 'many'], '--fuzz-requests takes a whole number above zero'],
  ])('%j: refused with the flag and what is wrong, no server started', (args, message) => {
    const run = bench(...args);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stdout).not.toContain('[infra]');
  });
});
