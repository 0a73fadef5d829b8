import { seededRng } from '../../src/core/crypto/random';
import { newIdentity, type IdentitySecrets } from '../../src/core/roster/identity';
import { assembleRoster, participantFrom, rosterToText, signRoster, verifyRoster, type Role, type RosterBody } from '../../src/core/roster/roster';
import { nativeProvider as provider } from '../../src/node/native-provider';

export const PEOPLE: [string, string, Role[]][] = [
  ['oscar', 'Oscar Operator', ['operator']],
  ['alice', 'Alice Custodian', ['custodian']],
  ['bob', 'Bob Custodian', ['custodian']],
  ['carol', 'Carol Custodian', ['custodian', 'dr-officer']],
  ['dave', 'Dave Custodian', ['custodian']],
  ['erin', 'Erin Custodian', ['custodian']],
  ['wendy', 'Wendy Witness', ['witness']],
  ['victor', 'Victor Witness', ['witness', 'custodian']],
];

export function makeRoster(seed = 'roster', expires = new Date('2027-11-28T00:00:00.000Z'), enrolled = new Date('2026-11-01T09:00:00.000Z')) {
  const rng = seededRng(seed);
  const ids = new Map<string, IdentitySecrets>();
  const participants = PEOPLE.map(([id, name, roles]) => {
    const s = newIdentity(rng, id);
    ids.set(id, s);
    return participantFrom(provider, s, { name, roles, enrolled, expires });
  });
  const body: RosterBody = { v: 1, kind: 'custos.roster', organization: 'Example Bank KMS', created: enrolled.toISOString(), participants };
  const roster = assembleRoster(body, [...ids.values()].map((s) => signRoster(provider, body, s)));
  const text = rosterToText(roster);
  return { ids, body, roster, text, verified: verifyRoster(provider, text) };
}
