import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { MongoClient } from 'mongodb';
import { connectMongo, type Mongo, type MonitorWatchOptions } from '../../src/mongo/db';

/**
 * The MongoDB driver's server monitor can stop for good when its socket is destroyed just before a
 * check writes to it (as when the server closes it on a restart): the check waits for a `drain`
 * that never comes (`watchMonitor` in `src/mongo/db.ts`). These tests destroy the monitor's socket
 * and ask for a check at once, which makes that happen every time, on the real server.
 */
describe('the MongoDB client when its server monitor stops', () => {
  const opened: Mongo[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((m) => m.close()));
  });

  const connect = async (watch: MonitorWatchOptions) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const mongo = await connectMongo(
      process.env.MONGODB_URI as string,
      `test_${randomUUID().slice(0, 8)}`,
      pino({ level: 'info' }, sink),
      watch,
    );
    opened.push(mongo);
    return { mongo, lines };
  };

  /**
   * What a server closing the monitor's connection just before a check does; the driver's
   * internals are reached for that alone. The check must run at once, so the last one must be
   * more than the driver's minimum interval between checks (500 ms) ago.
   */
  const stallMonitor = async (client: MongoClient) => {
    await sleep(1000);
    const topology = (client as unknown as { topology: { s: { servers: Map<string, unknown> } } }).topology;
    const [server] = [...topology.s.servers.values()] as {
      monitor: { connection: { socket: { destroy(): void } }; requestCheck(): void; s: { state: string } };
    }[];
    if (!server) throw new Error('the client has no server');
    server.monitor.connection.socket.destroy();
    server.monitor.requestCheck();
    return server.monitor;
  };

  /** Whether the client reports a server check that succeeded within `ms`. */
  const heartbeatWithin = (client: MongoClient, ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        client.off('serverHeartbeatSucceeded', onBeat);
        resolve(false);
      }, ms);
      const onBeat = () => {
        clearTimeout(timer);
        client.off('serverHeartbeatSucceeded', onBeat);
        resolve(true);
      };
      client.on('serverHeartbeatSucceeded', onBeat);
    });

  it('the driver alone never checks the server again (the fault the watch is for)', async () => {
    const { mongo } = await connect({ stuckAfterMs: Infinity, everyMs: 250 });
    const monitor = await stallMonitor(mongo.client);
    // Past the driver's heartbeat interval (10 s) and its connect timeout (10 s) for the check.
    expect(await heartbeatWithin(mongo.client, 21_000)).toBe(false);
    expect(monitor.s.state).toBe('monitoring');
  });

  it('connects anew once a check is stuck, and the Db taken before works on', async () => {
    const { mongo, lines } = await connect({ stuckAfterMs: 1000, everyMs: 100 });
    const contacts = mongo.db.collection<{ _id: string; n: number }>('monitor_watch');
    await contacts.insertOne({ _id: 'before', n: 1 });
    await stallMonitor(mongo.client);
    expect(await heartbeatWithin(mongo.client, 5000)).toBe(true);
    await contacts.insertOne({ _id: 'after', n: 2 });
    expect(await contacts.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'after', n: 2 },
      { _id: 'before', n: 1 },
    ]);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; component?: string });
    expect(logged.map((l) => l.msg)).toEqual([
      'MongoDB server check never ended; connecting the client anew',
      'MongoDB client connected anew',
    ]);
  });
});
