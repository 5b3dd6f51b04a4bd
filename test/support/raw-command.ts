import { connect } from 'node:net';
import { BSON, type Document } from 'mongodb';

/** The wire protocol's message of a command and its answer since MongoDB 3.6. */
const OP_MSG = 2013;
const HEADER_BYTES = 16;

/**
 * A BSON document of these parts in this order, a key given twice kept twice: the elements of
 * each document given, or an element already in BSON.
 */
export function documentOf(parts: (Document | Buffer)[]): Buffer {
  const body = Buffer.concat(
    parts.map((part) => {
      if (Buffer.isBuffer(part)) return part;
      const doc = BSON.serialize(part);
      // A document is its length, its elements and a terminating zero: keep the elements alone.
      return doc.subarray(4, doc.length - 1);
    }),
  );
  const doc = Buffer.alloc(4 + body.length + 1);
  doc.writeInt32LE(doc.length, 0);
  body.copy(doc, 4);
  return doc;
}

/** An element whose value is a document already in BSON. */
export function documentElement(key: string, doc: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x03]), Buffer.from(`${key}\0`, 'utf8'), doc]);
}

/**
 * Sends one command, as bytes the driver could not make (a key twice in a document), on a
 * connection of its own, and returns the server's answer; rejects when the server closes the
 * connection instead of answering.
 */
export function sendRawCommand(host: string, port: number, command: Buffer): Promise<Document> {
  // The header (the message's length, its id, the id it answers: none, its kind), no flags, and
  // one section of kind 0: the command's document.
  const message = Buffer.alloc(HEADER_BYTES + 4 + 1 + command.length);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(1, 4);
  message.writeInt32LE(0, 8);
  message.writeInt32LE(OP_MSG, 12);
  message.writeUInt32LE(0, HEADER_BYTES);
  message.writeUInt8(0, HEADER_BYTES + 4);
  command.copy(message, HEADER_BYTES + 5);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write(message));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < received.readInt32LE(0)) return;
      socket.destroy();
      // Header, flag bits, then section kind 0: the answer's one document.
      resolve(BSON.deserialize(received.subarray(HEADER_BYTES + 5, received.readInt32LE(0))));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('the server closed the connection without an answer')));
  });
}
