/**
 * The app's frame: the air-gap banner always in the header (re-checked every few seconds and
 * before each ceremony), the rehearsal band across every screen of a rehearsal, and the screens:
 * Home, Plan, Ceremony (with enrollment), Verify.
 */
import { useCallback, useEffect, useState } from 'react';
import { Button } from 'react-aria-components';
import type { AirGap, Chosen } from '../shared/ipc';
import { api } from './api';
import { Ceremony } from './Ceremony';
import { Home } from './Home';
import { PlanForm } from './PlanForm';
import { Verify } from './Verify';

export type Screen = { name: 'home' } | { name: 'plan' } | { name: 'verify' } | { name: 'ceremony'; plan: Chosen; rehearsal: boolean };

export function App() {
  const [screen, setScreen] = useState<Screen>({ name: 'home' });
  const [airGap, setAirGap] = useState<AirGap | undefined>();
  /** Read the air gap now (the banner shows it); settles once it is read, or could not be. */
  const checkAirGap = useCallback(
    () =>
      api()
        .airGap()
        .then(setAirGap, () => setAirGap(undefined)),
    [],
  );
  useEffect(() => {
    void checkAirGap();
    const t = setInterval(() => void checkAirGap(), 5000);
    return () => clearInterval(t);
  }, [checkAirGap]);
  const rehearsal = screen.name === 'ceremony' && screen.rehearsal;
  const home = () => setScreen({ name: 'home' });
  return (
    <div className={rehearsal ? 'frame rehearsal' : 'frame'}>
      <header className="top">
        <div className="brand">
          <span className="name">Custos</span>
          <span className="sub">key ceremony workstation</span>
        </div>
        <AirGapBanner state={airGap} />
        {screen.name !== 'home' && screen.name !== 'ceremony' && (
          <Button className="quiet" onPress={home}>
            Back to home
          </Button>
        )}
      </header>
      {rehearsal && (
        <div className="rehearsal-band" role="note" aria-label="Rehearsal: throwaway keys, nothing here is real">
          REHEARSAL · throwaway keys · nothing here is real
        </div>
      )}
      <main className="screen">
        {screen.name === 'home' && <Home go={setScreen} />}
        {screen.name === 'plan' && <PlanForm go={setScreen} />}
        {screen.name === 'verify' && <Verify />}
        {screen.name === 'ceremony' && <Ceremony plan={screen.plan} rehearsal={screen.rehearsal} home={home} recheckAirGap={checkAirGap} />}
      </main>
    </div>
  );
}

function AirGapBanner({ state }: { state: AirGap | undefined }) {
  if (!state)
    return (
      <div className="airgap unknown" role="status">
        Air gap: not checked yet
      </div>
    );
  const ok = state.live.length === 0;
  return (
    <div className={ok ? 'airgap ok' : 'airgap live'} role="status" aria-live="polite">
      <span aria-hidden="true">{ok ? '●' : '▲'}</span> {ok ? 'Air gap: no network interface is up' : `Network interface up: ${state.live.join(', ')}. A plan with "airgap: strict" will not run.`}
    </div>
  );
}
