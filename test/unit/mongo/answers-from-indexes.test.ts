import { answersFromIndexes } from '../../../src/mongo/db';

describe('answersFromIndexes', () => {
  it('is true for MongoDB, whose buildInfo names no FerretDB version', () => {
    expect(answersFromIndexes({ version: '7.0.14', ok: 1 })).toBe(true);
  });

  it('is false for FerretDB v1, released or built from source', () => {
    expect(answersFromIndexes({ version: '7.0.42', ferretdbVersion: 'v1.24.0' })).toBe(false);
    expect(answersFromIndexes({ version: '7.0.42', ferretdbVersion: '1.24.0' })).toBe(false);
    expect(answersFromIndexes({ version: '7.0.42', ferretdbVersion: 'unknown' })).toBe(false);
  });

  it('is true for FerretDB v2 and later, which query through DocumentDB indexes', () => {
    expect(answersFromIndexes({ version: '7.0.77', ferretdbVersion: 'v2.5.0' })).toBe(true);
    expect(answersFromIndexes({ version: '7.0.77', ferretdbVersion: '10.0.0' })).toBe(true);
  });
});
