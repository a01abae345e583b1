/** English texts of the HIE administration, merged into en.ts. Every key must exist in admin.es.ts. */
export const adminEn = {
} as const;
