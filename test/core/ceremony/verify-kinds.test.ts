/** An auditor's check of quorum and dual-control ceremonies, beyond the signatures. */
import { describe, expect, it } from 'vitest';
import { checkCeremonyTranscript } from '../../../src/core/ceremony/verify';
import { verifyTranscript } from '../../../src/core/transcript/transcript';
import type { Json } from '../../../src/core/transcript/canonical';
import { forged as forgedBy } from '../../helpers/forge';
import { nativeProvider as provider } from '../../../src/node/native-provider';
import { makeRoster } from '../../helpers/roster';
import { memoryMedium } from '../../helpers/ports';
import { loadVaultState } from '../../../src/core/ceremony/vault';
import { VerifyError } from '../../../src/core/errors';

const { ids, verified } = makeRoster('verify kinds');

/** A closed export-bundle transcript of the given events (actor, type, data), opened by oscar and attested by wendy and oscar. */
function transcript(open: { [k: string]: Json }, steps: [string, string, { [k: string]: Json }][]): string {
  return forged('oscar', { kind: 'export-bundle', name: 'x', operator: 'oscar', witnesses: ['wendy'], ...open }, steps, ['wendy', 'oscar'], '2026-11-28T10:00:00.000Z');
}
const check = (text: string) => checkCeremonyTranscript(verifyTranscript(provider, text, { publicKey: verified.publicKey }), verified);
const quorum: [string, string, { [k: string]: Json }][] = [
  ['alice', 'quorum.share', { custodian: 'alice', setId: 'ab'.repeat(16), index: 1 }],
  ['bob', 'quorum.share', { custodian: 'bob', setId: 'ab'.repeat(16), index: 2 }],
  ['oscar', 'quorum.unlocked', { setId: 'ab'.repeat(16), keyId: 'cd'.repeat(16), kcv: 'cmac-aes:000000', custodians: ['alice', 'bob'] }],
];
const open = { quorum: ['alice', 'bob'], approvers: ['dave', 'erin'] };
const written: [string, string, { [k: string]: Json }] = ['oscar', 'bundle.written', { file: 'kms.bundle.json', sha256: 'ef'.repeat(32) }];

describe('verifying quorum and dual-control transcripts', () => {
  it('accepts a quorum and two approvals by the named approvers', () => {
    const t = transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }], written]);
    expect(check(t)).toMatchObject({ kind: 'export-bundle', operator: 'oscar' });
    // Without the bundle it approved, the ceremony is incomplete.
    expect(() => check(transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }]]))).toThrowError(/^transcript: a export-bundle ceremony records quorum\.unlocked, then bundle\.written; bundle\.written is missing/);
  });
  it('refuses a missing approval, an approval by someone else, and a missing quorum', () => {
    expect(() => check(transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }]]))).toThrowError(/^transcript: has no bundle\.approved signed by erin/);
    expect(() => check(transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }], ['carol', 'bundle.approved', { approver: 'carol' }]]))).toThrowError(
      /^transcript: records a bundle\.approved by someone who is not an approver/,
    );
    expect(() => check(transcript(open, [['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }]]))).toThrowError(/^transcript: this export-bundle ceremony must record the quorum/);
  });
  it('refuses a share step by someone outside the quorum, and approvers that are the operator', () => {
    const intruder: [string, string, { [k: string]: Json }] = ['carol', 'quorum.share', { custodian: 'carol', setId: 'ab'.repeat(16), index: 3 }];
    expect(() => check(transcript(open, [intruder, ...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }]]))).toThrowError(/carol is not in the quorum/);
    expect(() => check(transcript({ ...open, approvers: ['dave', 'oscar'] }, [...quorum]))).toThrowError(/^transcript\.line\[1\]\.data\.approvers\[1\]: oscar is not enrolled as custodian/);
  });
});

/** A transcript anyone enrolled could write and sign on their own (test/helpers/forge.ts), under this roster. */
function forged(opener: string, openData: { [k: string]: Json }, steps: [string, string, { [k: string]: Json }][], attesters: string[], start?: string): string {
  return forgedBy(ids, verified.fingerprint, opener, openData, steps, attesters, start === undefined ? {} : { start });
}

describe('transcripts the engine would never write: refused by the auditor and ignored by the vault', () => {
  const set = 'ab'.repeat(16);
  const key = 'cd'.repeat(16);
  const cases: [string, string, RegExp][] = [
    [
      'a witness alone revokes a share set',
      forged('wendy', { kind: 'reshare', operator: 'wendy', witnesses: [] }, [['wendy', 'shares.revoked', { setId: set, keyId: key }]], ['wendy']),
      /^transcript\.line\[1\]\.actor: wendy is not enrolled as operator/,
    ],
    [
      'an operator alone revokes a set, witnessed by nobody',
      forged('oscar', { kind: 'reshare', operator: 'oscar', witnesses: ['wendy'], quorum: ['alice', 'bob'] }, [['oscar', 'shares.revoked', { setId: set, keyId: key }]], ['oscar']),
      /^transcript\.closing: is attested by oscar; the ceremony needs wendy, oscar/,
    ],
    [
      'a confirm-import with no witnesses that retires the master key',
      forged('oscar', { kind: 'confirm-import', operator: 'oscar', witnesses: [] }, [['oscar', 'import.confirmed', {}], ['oscar', 'master.retired', { keyId: key }]], ['oscar']),
      /^transcript\.line\[1\]\.data\.witnesses: must list the witnesses/,
    ],
    [
      'a witnessed confirm-import that retires the master key',
      forged('oscar', { kind: 'confirm-import', operator: 'oscar', witnesses: ['wendy'] }, [['oscar', 'import.confirmed', {}], ['oscar', 'master.retired', { keyId: key }]], ['wendy', 'oscar']),
      /^transcript\.line\[3\]\.type: master\.retired is not a step of a confirm-import ceremony/,
    ],
    [
      'duplicate custodians in a generate',
      forged('oscar', { kind: 'generate', operator: 'oscar', witnesses: ['wendy'], custodians: ['alice', 'alice', 'bob'], threshold: 2 }, [], ['wendy', 'oscar']),
      /^transcript\.line\[1\]\.data\.custodians: alice would hold two shares of one set/,
    ],
    [
      'a custodian of the quorum as witness',
      forged('oscar', { kind: 'reshare', operator: 'oscar', witnesses: ['victor'], quorum: ['alice', 'victor'] }, [], ['victor', 'oscar']),
      /^transcript\.line\[1\]\.data\.witnesses: victor cannot be custodian and witness in the same ceremony/,
    ],
    [
      'an unknown kind',
      forged('oscar', { kind: 'revoke-everything', operator: 'oscar', witnesses: ['wendy'] }, [['oscar', 'shares.revoked', { setId: set }]], ['wendy', 'oscar']),
      /^transcript\.line\[1\]\.data\.kind: revoke-everything is not a kind of ceremony/,
    ],
    [
      'a quorum ceremony that revokes another set than its quorum brought',
      forged(
        'oscar',
        { kind: 'reshare', operator: 'oscar', witnesses: ['wendy'], quorum: ['alice', 'bob'], custodians: ['alice', 'bob'], threshold: 2 },
        [
          ['alice', 'quorum.share', { custodian: 'alice', setId: set, index: 1 }],
          ['bob', 'quorum.share', { custodian: 'bob', setId: set, index: 2 }],
          ['oscar', 'quorum.unlocked', { setId: set, keyId: key, kcv: 'cmac-aes:000000', custodians: ['alice', 'bob'] }],
          ['oscar', 'shares.split', { setId: 'ef'.repeat(16), keyId: key, custodians: ['alice', 'bob'] }],
          ['alice', 'share.issued', { custodian: 'alice', index: 1, setId: 'ef'.repeat(16) }],
          ['bob', 'share.issued', { custodian: 'bob', index: 2, setId: 'ef'.repeat(16) }],
          ['alice', 'share.verified', { custodian: 'alice', index: 1, setId: 'ef'.repeat(16) }],
          ['bob', 'share.verified', { custodian: 'bob', index: 2, setId: 'ef'.repeat(16) }],
          ['oscar', 'shares.revoked', { setId: '99'.repeat(16), keyId: key }],
        ],
        ['wendy', 'oscar'],
      ),
      /^transcript: revokes another share set than the one its quorum brought/,
    ],
    [
      'an operator and a witness alone reshare: no quorum, the share steps signed by the operator',
      forged(
        'oscar',
        { kind: 'reshare', operator: 'oscar', witnesses: ['wendy'], quorum: [], custodians: [] },
        [
          ['oscar', 'quorum.unlocked', { setId: set, keyId: key, kcv: 'cmac-aes:000000', custodians: [] }],
          ['oscar', 'shares.split', { setId: 'ef'.repeat(16), keyId: key, custodians: ['oscar'], threshold: 1, count: 1 }],
          ['oscar', 'share.issued', { custodian: 'oscar', index: 1, setId: 'ef'.repeat(16) }],
          ['oscar', 'share.verified', { custodian: 'oscar', index: 1, setId: 'ef'.repeat(16) }],
          ['oscar', 'shares.revoked', { setId: set, keyId: key }],
        ],
        ['wendy', 'oscar'],
      ),
      /^transcript\.line\[2\]\.data\.custodians: must name at least two distinct custodians of the quorum/,
    ],
    [
      'a rotate whose new shares are issued by the operator in the custodians\' names',
      forged(
        'oscar',
        { kind: 'rotate', operator: 'oscar', witnesses: ['wendy'], quorum: ['alice', 'bob'], custodians: ['alice', 'bob'], threshold: 2 },
        [
          ['alice', 'quorum.share', { custodian: 'alice', setId: set, index: 1 }],
          ['bob', 'quorum.share', { custodian: 'bob', setId: set, index: 2 }],
          ['oscar', 'quorum.unlocked', { setId: set, keyId: key, kcv: 'cmac-aes:000000', custodians: ['alice', 'bob'] }],
          ['oscar', 'key.generated', { keyId: 'ef'.repeat(16) }],
          ['oscar', 'shares.split', { setId: 'ef'.repeat(16), keyId: 'ef'.repeat(16), custodians: ['alice', 'bob'] }],
          ['oscar', 'inventory.written', { masterKeyId: 'ef'.repeat(16), generation: 1 }],
          ['oscar', 'share.issued', { custodian: 'alice', index: 1, setId: 'ef'.repeat(16) }],
          ['oscar', 'share.verified', { custodian: 'alice', index: 1, setId: 'ef'.repeat(16) }],
          ['oscar', 'shares.revoked', { setId: set, keyId: key }],
          ['oscar', 'master.retired', { keyId: key }],
        ],
        ['wendy', 'oscar'],
      ),
      /^transcript\.line\[8\]: share\.issued is signed by oscar for alice: each custodian signs their own/,
    ],
  ];
  it.each(cases)('%s', (_, text, why) => {
    expect(() => check(text)).toThrow(VerifyError);
    expect(() => check(text)).toThrowError(why);
    const files = new Map<string, Uint8Array>([['forged.jsonl', new TextEncoder().encode(text)]]);
    const said: string[] = [];
    const state = loadVaultState(provider, memoryMedium(files), verified, { say: (s) => said.push(s) });
    expect(state.revoked.size + state.retired.size + state.sets.size).toBe(0);
    expect(state.ignored).toEqual([{ name: 'forged.jsonl', reason: expect.stringMatching(/^it is not a valid ceremony/), code: expect.stringMatching(/^[a-z]+\.[a-z-]+/) }]);
    expect(said[0]).toMatch(/^Vault: forged\.jsonl is ignored: it is not a valid ceremony/);
  });
  it('a signer outside their enrollment dates', () => {
    // Opened a second before everyone's enrollment ends (2027-11-28); the steps come after it.
    const late = forged('oscar', { kind: 'export-bundle', operator: 'oscar', witnesses: ['wendy'], ...open }, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }], written], ['wendy', 'oscar'], '2027-11-27T23:59:58.000Z');
    expect(() => check(late)).toThrowError(/^transcript\.line\[2\]: alice signed at 2027-11-28T00:00:00\.000Z, outside their enrollment \(2026-11-01T09:00:00\.000Z to 2027-11-28T00:00:00\.000Z\)/);
  });

  it('a quorum that does not reach the threshold of the set it unlocked revokes nothing in the vault', () => {
    // A closed, witnessed reshare whose two-person quorum is short of the set's threshold of three.
    const issue = (id: string, i: number): [string, string, { [k: string]: Json }][] => [
      [id, 'share.issued', { custodian: id, index: i, setId: 'ef'.repeat(16) }],
      [id, 'share.verified', { custodian: id, index: i, setId: 'ef'.repeat(16) }],
    ];
    const gen = forged('oscar', { kind: 'generate', operator: 'oscar', witnesses: ['wendy'], custodians: ['alice', 'bob', 'carol'], threshold: 3 }, [
      ['oscar', 'key.generated', { keyId: key, kcv: 'cmac-aes:000000' }],
      ['oscar', 'shares.split', { setId: set, keyId: key, kcv: 'cmac-aes:000000', custodians: ['alice', 'bob', 'carol'], threshold: 3, count: 3, signer: '00'.repeat(32) }],
      ['oscar', 'inventory.written', { masterKeyId: key, generation: 0, sha256: '00'.repeat(32), name: 'inv' }],
      ['alice', 'share.issued', { custodian: 'alice', index: 1, setId: set }],
      ['bob', 'share.issued', { custodian: 'bob', index: 2, setId: set }],
      ['carol', 'share.issued', { custodian: 'carol', index: 3, setId: set }],
      ['alice', 'share.verified', { custodian: 'alice', index: 1, setId: set }],
      ['bob', 'share.verified', { custodian: 'bob', index: 2, setId: set }],
      ['carol', 'share.verified', { custodian: 'carol', index: 3, setId: set }],
    ], ['wendy', 'oscar']);
    const short = forged('oscar', { kind: 'reshare', operator: 'oscar', witnesses: ['wendy'], quorum: ['alice', 'bob'], custodians: ['alice', 'bob'], threshold: 2 }, [
      ['alice', 'quorum.share', { custodian: 'alice', setId: set, index: 1 }],
      ['bob', 'quorum.share', { custodian: 'bob', setId: set, index: 2 }],
      ['oscar', 'quorum.unlocked', { setId: set, keyId: key, kcv: 'cmac-aes:000000', custodians: ['alice', 'bob'] }],
      ['oscar', 'shares.split', { setId: 'ef'.repeat(16), keyId: key, custodians: ['alice', 'bob'], threshold: 2, count: 2 }],
      ...issue('alice', 1).slice(0, 1), ...issue('bob', 2).slice(0, 1), ...issue('alice', 1).slice(1), ...issue('bob', 2).slice(1),
      ['oscar', 'shares.revoked', { setId: set, keyId: key }],
    ], ['wendy', 'oscar']);
    expect(check(short).kind).toBe('reshare'); // well-formed on its own: the auditor cannot know the set's threshold
    const files = new Map([['a-generate.jsonl', gen], ['b-reshare.jsonl', short]].map(([n, t]) => [n!, new TextEncoder().encode(t)]));
    const state = loadVaultState(provider, memoryMedium(files), verified);
    expect(state.sets.has(set)).toBe(true);
    expect(state.revoked.has(set)).toBe(false);
  });
  it('an interrupted transcript the operator wrote alone does not move the inventory on', () => {
    const text = forged('oscar', { kind: 'add-key', operator: 'oscar', witnesses: ['wendy'], quorum: ['alice', 'bob'] }, [['oscar', 'inventory.written', { masterKeyId: key, generation: 999999, sha256: '00'.repeat(32), name: 'nope.json' }]], []);
    const state = loadVaultState(provider, memoryMedium(new Map([['u.jsonl', new TextEncoder().encode(text)]])), verified);
    expect(state.inventories.size).toBe(0);
  });
  it('a transcript whose kind was rewritten is reported, not skipped', () => {
    const text = transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }], written]).replace('"kind":"export-bundle"', '"kind":"enroll"');
    const said: string[] = [];
    const state = loadVaultState(provider, memoryMedium(new Map([['x.jsonl', new TextEncoder().encode(text)]])), verified, { say: (s) => said.push(s) });
    expect(state.ignored).toEqual([{ name: 'x.jsonl', reason: expect.stringMatching(/^it does not verify/), code: expect.any(String) }]);
    expect(said).toHaveLength(1);
  });
});
