/**
 * The names of the contract's methods and their channels, apart from the schemas so the preload
 * carries no validation library: the preload and the test bridge are generated from this list,
 * and src/shared/ipc.ts types its schema table by it (a method missing or extra there does not
 * compile).
 */
export const METHOD_NAMES = ['about', 'airGap', 'drives', 'choose', 'vault', 'chooseVault', 'pinRoster', 'planTemplate', 'checkPlan', 'savePlan', 'checkShareLine', 'checkShareCard', 'verify', 'document', 'saveDocument', 'print', 'camera', 'startRun', 'answer', 'cancelRun'] as const;
export type Method = (typeof METHOD_NAMES)[number];

export const channelOf = (m: Method | 'run') => `custos:${m}` as const;
