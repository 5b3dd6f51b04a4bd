import { randomUUID } from 'node:crypto';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
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

  const connect = async (watch: MonitorWatchOptions, uri = process.env.MONGODB_URI as string) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const mongo = await connectMongo(
      uri,
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

  it('tries again while the server does not answer, and connects once it does', async () => {
    const target = new URL(process.env.MONGODB_URI as string);
    const door = await Door.open(target.hostname, Number(target.port));
    try {
      const { mongo, lines } = await connect(
        { stuckAfterMs: 1000, everyMs: 100 },
        `mongodb://127.0.0.1:${door.port}/?directConnection=true`,
      );
      const contacts = mongo.db.collection<{ _id: string }>('monitor_watch_door');
      await contacts.insertOne({ _id: 'before' });
      await stallMonitor(mongo.client);
      // The server is away while the client connects anew: that attempt fails (10 s of selection).
      await door.shut();
      const failed = 'MongoDB client not connected anew; trying again';
      const seen = (msg: string) => lines.some((l) => (JSON.parse(l) as { msg: string }).msg === msg);
      while (!seen(failed)) await sleep(200);
      await door.reopen();
      while (!seen('MongoDB client connected anew')) await sleep(200);
      await contacts.insertOne({ _id: 'after' });
      expect(await contacts.countDocuments()).toBe(2);
    } finally {
      await door.shut();
    }
  });
});

/** A TCP door to the real server that can be shut (every connection cut, none taken) and reopened on its port. */
class Door {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly host: string,
    private readonly targetPort: number,
    public port = 0,
  ) {}

  static async open(host: string, targetPort: number): Promise<Door> {
    const door = new Door(host, targetPort);
    await door.reopen();
    return door;
  }

  async reopen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connectTcp(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async shut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
