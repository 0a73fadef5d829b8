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
  file: roster.json                  # the signed roster (custos enroll wrote it)
  fingerprint: "REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"
airgap: strict                       # strict: refuse to run with a non-loopback interface up; warn: record it
operator: oscar                      # the ceremony administrator (roster role: operator)
witnesses: [wendy]                   # attest the transcript; never a custodian, approver or the operator
vault: /var/lib/custos/vault         # the workstation data folder: inventories and every transcript
`;

const OUTPUTS = `outputs:
  directory: /media/ceremony         # must exist; every file written here must not exist yet
`;
const SHARE_OUTPUTS = `outputs:
  directory: /media/ceremony         # must exist; every file written here must not exist yet
  paper: /media/paper                # with forms [paper]: the paper shares (the share in the clear), on a medium
                                     #   of their own, never the directory above nor a temporary folder (/tmp);
                                     #   the transcript records where
`;
const SHARES = `shares:
  threshold: 3                       # M: how many custodians rebuild the key (2..255)
  custodians: [alice, bob, carol, dave, erin]   # N custodians, one share each, in this order
  forms: [file, paper]               # default both: an age file for the custodian's USB, and a paper form
  protection: passphrase             # default passphrase (scrypt); or recipient (the custodian's age key from the roster)
`;
const QUORUM = `quorum: [alice, bob, carol]          # custodians who bring their shares (at least the threshold)
`;
const APPROVERS = `approvers: [dave, erin]              # dual control: two distinct custodians, not the operator or a witness
`;

const BODIES: Record<Exclude<PlanKind, 'enroll'>, string> = {
  generate: `kind: generate
transcript: generate-2026.jsonl      # written in the vault; rerunning the plan resumes an interrupted run
key:
  label: "master-2026"               # a name for people; the key id is derived from the key
  dice: false                        # default false; true mixes custodian dice rolls into the CSPRNG output
${SHARES}${SHARE_OUTPUTS}`,
  'add-key': `kind: add-key
transcript: add-key-2026-01.jsonl
${QUORUM}keys:
  - name: "vsphere-kek-2026"         # unique among the inventory's keys
    usage: [wrap-key, unwrap-key]    # wrap-key, unwrap-key, encrypt, decrypt, mac
    cryptoperiodDays: 365            # NIST SP 800-57 originator-usage period
    state: active                    # default pre-active; or active
`,
  'change-state': `kind: change-state
transcript: change-state-2026-01.jsonl
${QUORUM}changes:
  - key: "vsphere-kek-2026"
    to: deactivated                  # pre-active, active, deactivated, compromised, destroyed (SP 800-57 transitions only)
    reason: "cryptoperiod ended"
`,
  'export-bundle': `kind: export-bundle
transcript: export-2026-01.jsonl
${QUORUM}${APPROVERS}keys: ["vsphere-kek-2026"]           # active keys only
recipient:
  file: kms-prod-1.transport.json    # the key server's transport-key enrollment (custos server enroll)
  fingerprint: "REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"
expiresDays: 14                      # default 14; the importer refuses an expired bundle
output: kms-prod-1.bundle.json
${OUTPUTS}`,
  escrow: `kind: escrow
transcript: escrow-2026-01.jsonl
${QUORUM}${APPROVERS}keys: ["vsphere-kek-2026"]
agent:
  name: "Escrow Agent Ltd"
  age: "REPLACE WITH THE AGENT'S age1... RECIPIENT"   # or rsa: { file: agent.transport.json, fingerprint: "<64 hex>" }
output: escrow-2026-01                # writes escrow-2026-01.json (signed manifest) and escrow-2026-01.age
${OUTPUTS}`,
  backup: `kind: backup
transcript: backup-2026-01.jsonl
${APPROVERS}# master: 0123456789abcdef0123456789abcdef  # needed only when the vault holds several master keys
output: vault-backup-2026-01.custos-backup
${OUTPUTS}`,
  restore: `kind: restore
transcript: restore-2026-01.jsonl    # the vault must be empty: a restore never merges
# the operator of a restore may be a DR officer (roster role dr-officer)
backup:
  file: /media/backup/vault-backup-2026-01.custos-backup
${QUORUM}`,
  reshare: `kind: reshare
transcript: reshare-2026-01.jsonl
${QUORUM}${SHARES}${SHARE_OUTPUTS}`,
  'confirm-import': `kind: confirm-import
transcript: confirm-import-2026-01.jsonl
receipt:
  file: /media/courier/kms-1.receipt.json   # signed by the key server's transport key
bundle:
  file: /media/courier/kms-1.bundle.json    # the bundle as exported; its SHA-256 is in the export transcript
recipient:
  file: kms-1.transport.json
  fingerprint: "REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"
`,
  rotate: `kind: rotate
transcript: rotate-2026-01.jsonl
${QUORUM}key:
  label: "master-2027"
  dice: false
${SHARES}${SHARE_OUTPUTS}`,
};

/** The enrollment ceremony makes the roster, so its plan pins none (except the one it renews). */
const ENROLL = `# Custos enrollment plan. Check it with: custos plan check THIS-FILE
# Each person, in turn at the workstation, creates their own identity (or brings a request they
# signed with keys made elsewhere: custos identity request), types their own passphrase and
# takes the identity file away on their own medium; then each signs the roster, the witnesses
# attest, and the roster's fingerprint words are read aloud and written on paper.
kind: enroll
version: 1
ceremony:
  name: "Enrollment 2026"
  organization: "Example Bank KMS"
airgap: strict
operator: oscar                      # enrolled below with the operator role
witnesses: [wendy]                   # enrolled below with the witness role
vault: /var/lib/custos/vault         # the enrollment transcript is kept here
transcript: enroll-2026.jsonl
validDays: 365                       # every enrollment below expires after this many days
outputs:
  directory: /media/ceremony         # the signed roster.json is written here
participants:
  - { id: oscar, name: "Oscar Operator", roles: [operator] }
  - { id: wendy, name: "Wendy Witness", roles: [witness] }
  - { id: alice, name: "Alice Custodian", roles: [custodian] }
  - { id: bob, name: "Bob Custodian", roles: [custodian] }
  - { id: carol, name: "Carol Custodian", roles: [custodian], request: carol.request.json }   # keys made elsewhere
# To renew the pinned roster, or add or remove one person, name it and keep the others' keys:
# previous:
#   file: roster.json
#   fingerprint: "THE EIGHT WORDS OF THE PINNED ROSTER"
# and mark each continuing participant with  keep: true  (a majority of the previous roster must
# continue: each of them endorses the new roster with the keys the previous one enrolled).
`;

export function planTemplate(kind: string): string {
  if (!(PLAN_KINDS as readonly string[]).includes(kind)) throw new InputError('plan.kind', 'kind', `must be one of: ${PLAN_KINDS.join(', ')}`);
  if (kind === 'enroll') return ENROLL;
  return BODIES[kind as Exclude<PlanKind, 'enroll'>] + HEADER;
}
