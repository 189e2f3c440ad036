import { en } from './en.ts';
import { sayer, type Say } from './index.ts';

/**
 * English whatever the device speaks: the default of the pure checks (so the hub, the panel's
 * replies to phones and the access log keep their English), where a screen hands in its `say`.
 */
export const english: Say = sayer(en);
