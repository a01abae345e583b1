import type { adminEn } from './admin.en.ts';

/** Español: la administración del HIE. */
export const adminEs: Record<keyof typeof adminEn, string> = {
};
