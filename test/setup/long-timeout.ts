// Tests here drive real servers: start-up and whole campaigns take seconds, not milliseconds.
jest.setTimeout(300_000);
