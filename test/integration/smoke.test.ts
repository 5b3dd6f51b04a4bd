import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { greet } from './fixtures/smoke-workflows';

describe('real servers', () => {
  it('runs a trivial workflow on the Temporal dev server and reads its result back', async () => {
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
    const taskQueue = `smoke-${randomUUID()}`;
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS }),
      taskQueue,
      workflowsPath: require.resolve('./fixtures/smoke-workflows'),
    });
    try {
      const client = new Client({ connection });
      const result = await worker.runUntil(
        client.workflow.execute(greet, { taskQueue, workflowId: taskQueue, args: ['campaign'] }),
      );
      expect(result).toBe('hello, campaign');
      const description = await client.workflow.getHandle(taskQueue).describe();
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await connection.close();
    }
  });

  it('writes and reads a document through the mongodb driver', async () => {
    const client = await MongoClient.connect(process.env.MONGODB_URI!);
    try {
      const collection = client.db(`smoke_${Date.now()}`).collection<{ _id: string; n: number }>('docs');
      const id = randomUUID();
      await collection.insertOne({ _id: id, n: 42 });
      expect(await collection.findOne({ _id: id })).toEqual({ _id: id, n: 42 });
    } finally {
      await client.close();
    }
  });
});
