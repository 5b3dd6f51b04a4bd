import { callToken, isCallToken } from '../../../src/dialers/call-token';

const secret = 'call-token-test-secret';
const key = 'campaign-c1-contact-k1:2';
const metadata = {
  workflowId: 'campaign-c1-contact-k1',
  campaignId: 'c1',
  contactId: 'k1',
  accountId: 'a1',
  attempt: 2,
};

describe('call tokens', () => {
  const token = callToken(secret, key, metadata);

  it('are the same for the same call, and check out', () => {
    expect(callToken(secret, key, { ...metadata })).toBe(token);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isCallToken(secret, token, key, metadata)).toBe(true);
  });

  it.each([
    ['the key', { key: 'campaign-c1-contact-k1:3' }],
    ['the workflow id', { metadata: { workflowId: 'campaign-c1-contact-k2' } }],
    ['the campaign', { metadata: { campaignId: 'c2' } }],
    ['the contact', { metadata: { contactId: 'k2' } }],
    ['the account', { metadata: { accountId: 'a2' } }],
    ['the attempt', { metadata: { attempt: 3 } }],
  ])('fail for a call that differs in %s', (_what, change: { key?: string; metadata?: object }) => {
    expect(isCallToken(secret, token, change.key ?? key, { ...metadata, ...change.metadata })).toBe(false);
  });

  it('fail under another secret', () => {
    expect(isCallToken('another-secret', token, key, metadata)).toBe(false);
  });

  it('keep fields apart: moving text from one field to the next makes another token', () => {
    const a = callToken(secret, key, { ...metadata, campaignId: 'c1|k', contactId: '1' });
    const b = callToken(secret, key, { ...metadata, campaignId: 'c1', contactId: 'k|1' });
    expect(a).not.toBe(b);
  });

  it.each(['', 'x', '!!!!', token.slice(0, -2), `${token}AA`, token.toUpperCase()])(
    'refuse a malformed or altered token (%j) without throwing',
    (bad) => {
      expect(isCallToken(secret, bad, key, metadata)).toBe(false);
    },
  );
});
