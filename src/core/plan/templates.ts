/** Commented starting plans, printed by `custos plan template KIND`. */
import { InputError } from '../errors';
import { PLAN_KINDS, type PlanKind } from './schema';

const HEADER = `# Custos ceremony plan. Check it with: custos plan check THIS-FILE
# Every key below is required unless it says "default"; unknown keys are errors.
version: 1
ceremony:
  name: "KMS master key 2026"        # shown on every screen and in the transcript
  organization: "Example Bank KMS"
roster:
  file: roster.json                  # the signed roster (custos roster verify roster.json)
  fingerprint: "REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"
airgap: strict                       # strict: refuse to run with a non-loopback interface up; warn: record it
operator: oscar                      # the ceremony administrator (roster role: operator)
witnesses: [wendy]                   # attest the transcript; never a custodian or the operator
outputs:
  directory: /media/ceremony         # must exist; every file written here must not exist yet
  transcript: transcript.jsonl       # default transcript.jsonl
`;

const BODIES: Record<PlanKind, string> = {
  generate: `kind: generate
key:
  label: "master-2026"               # a name for people; the key id is derived from the key
  dice: false                        # default false; true mixes custodian dice rolls into the CSPRNG output
shares:
  threshold: 3                       # M: how many custodians rebuild the key (2..255)
  custodians: [alice, bob, carol, dave, erin]   # N custodians, one share each, in this order
  forms: [file, paper]               # default both: an age file for the custodian's USB, and a paper form
  protection: passphrase             # default passphrase (scrypt); or recipient (the custodian's age key from the roster)
`,
};

export function planTemplate(kind: string): string {
  if (!(PLAN_KINDS as readonly string[]).includes(kind)) throw new InputError('plan.kind', 'kind', `must be one of: ${PLAN_KINDS.join(', ')}`);
  return BODIES[kind as PlanKind] + HEADER;
}
