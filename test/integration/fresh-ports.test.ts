import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureTemporal, InfraError, startOnFreshPorts, type TemporalEndpoint } from '../../src/dev/infra';
import { freePort } from '../../src/dev/processes';

const listening = (server: Server): Promise<number> =>
  new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : 0);
    });
  });

describe('startOnFreshPorts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fresh-ports-'));
  const base = {
    dataDir,
    cacheDir: resolve(process.env.CACHE_DIR ?? '.cache'),
    namespace: 'default',
    // The suite's own server is not for this test: it starts one of its own.
    env: { ...process.env, TEMPORAL_ADDRESS: '' },
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the Temporal dev server again on other ports when one it was given is taken before it binds it', async () => {
    const squatter = createServer();
    const taken = await listening(squatter);
    const lines: string[] = [];
    const picked: { port: number; uiPort: number }[] = [];
    let endpoint: TemporalEndpoint | undefined;
    try {
      endpoint = await startOnFreshPorts(
        async () => {
          // The first pick hands the server a Web UI port another process holds, as a race would.
          const ports = { port: await freePort(), uiPort: picked.length === 0 ? taken : await freePort() };
          picked.push(ports);
          return ports;
        },
        (ports) => ensureTemporal({ ...base, ...ports, log: (line) => lines.push(line) }),
        (line) => lines.push(line),
      );
      expect(picked).toHaveLength(2);
      expect(lines.join('\n')).toMatch(/exited \(1\) before listening.*; starting again on other ports/);
      const connection = await Connection.connect({ address: endpoint.address });
      try {
        const { namespaceInfo } = await connection.workflowService.describeNamespace({
          namespace: 'default',
        });
        expect(namespaceInfo?.name).toBe('default');
      } finally {
        await connection.close();
      }
    } finally {
      await endpoint?.stop();
      squatter.close();
    }
  }, 120_000);

  it('gives up after its attempts, and at once on a failure that is not a taken port', async () => {
    /** How many times a start that always fails with `error` is tried. */
    const triesOf = async (error: InfraError) => {
      let calls = 0;
      const failing = () => {
        calls += 1;
        return Promise.reject(error);
      };
      await expect(
        startOnFreshPorts(
          () => Promise.resolve({}),
          failing,
          () => undefined,
          3,
        ),
      ).rejects.toBe(error);
      return calls;
    };
    expect(await triesOf(new InfraError('Temporal', 'port 1 is already in use', 'pick another', true))).toBe(
      3,
    );
    expect(await triesOf(new InfraError('Temporal', 'the binary would not run', 'reinstall it'))).toBe(1);
  });
});
