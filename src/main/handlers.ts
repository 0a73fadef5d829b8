/** The window's methods, made from main's parts (dialogs, network, runs); electron stays in main.ts. */
import { liveInterfaces, type NetworkState } from '../core/ceremony/network';
import type { AboutInfo, ChoiceKind, Drive } from '../shared/ipc';
import type { Choices } from './choices';
import type { Handlers } from './ipc';
import type { Runs } from './runs';

export function appHandlers(deps: {
  about(): AboutInfo;
  /** Main's open dialog: the path the person chose, or undefined. */
  dialog(kind: ChoiceKind): Promise<string | undefined>;
  network(): NetworkState;
  drives(): Drive[];
  clock(): Date;
  choices: Choices;
  runs: Runs;
}): Handlers {
  return {
    about: () => deps.about(),
    drives: () => deps.drives(),
    airGap: () => ({ live: liveInterfaces(deps.network()).map((i) => i.name), checkedAt: deps.clock().toISOString() }),
    choose: async (kind) => {
      const file = await deps.dialog(kind);
      return file === undefined ? undefined : deps.choices.add(kind, file);
    },
    startRun: (opts) => deps.runs.start(opts),
    answer: (run, id, answer) => deps.runs.answer(run, id, answer),
    cancelRun: (run) => deps.runs.cancel(run),
  };
}
