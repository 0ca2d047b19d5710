import { MODULES } from '../modules';

/** Every entity of every module (each module lists its own in its index.ts). */
export const ENTITIES = MODULES.flatMap((m) => m.entities);
