/**
 * The frame of every ceremony that needs the master key: preflight, open (or resume), quorum
 * unlock against the vault's share sets, the current sealed inventory, the ceremony's own
 * steps, then the master key wiped and the transcript closed. A resumed run whose transcript
 * already records the ceremony's work (`recorded`) only closes it.
 */
import { wipe } from '../crypto/bytes';
import type { Inventory } from '../inventory/inventory';
import type { Plan } from '../plan/schema';
import { planAssignment } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { Json } from '../transcript/canonical';
import type { CeremonyPorts } from './ports';
import { unlockMaster, type Unlocked } from './quorum';
import { Session, type Closing } from './session';
import { absorb, loadInventory, loadVaultState, type VaultState } from './vault';
import type { CeremonyOptions } from './generate';

export interface QuorumContext {
  session: Session;
  state: VaultState;
  unlocked: Unlocked;
  inventory: Inventory;
}

export async function quorumCeremony<P extends Plan & { quorum: string[] }, R>(
  ports: CeremonyPorts,
  plan: P,
  roster: VerifiedRoster,
  opts: CeremonyOptions,
  openData: { [k: string]: Json },
  before: (session: Session) => void,
  body: (c: QuorumContext) => Promise<R>,
  /** What the interrupted run already did, when its transcript records the ceremony's work: only the closing is left, and no quorum is asked. */
  recorded?: (session: Session) => R | undefined,
): Promise<R & Closing> {
  const session = new Session(ports, roster, plan, opts);
  const { warning } = session.preflight(planAssignment(plan));
  before(session);
  const state = loadVaultState(ports.provider, ports.vault, roster, { exclude: plan.transcript, rehearsal: opts.rehearsal === true, say: ports.say });
  return session.run(async () => {
    await session.open({ quorum: plan.quorum, ...openData }, warning);
    absorb(state, session.prior, session.ceremony, false, { own: true });
    const done = recorded?.(session);
    if (done) {
      ports.say('The interrupted run recorded its work; only the closing is left.');
      return { ...done, ...(await session.close()) };
    }
    const unlocked = await unlockMaster(session, state, plan.quorum);
    try {
      const inventory = loadInventory(ports.provider, ports.vault, state, unlocked.master, unlocked.keyId);
      const r = await body({ session, state, unlocked, inventory });
      wipe(unlocked.master);
      return { ...r, ...(await session.close()) };
    } finally {
      wipe(unlocked.master);
    }
  });
}
