/** The patient portal's record API (people I may see, sections of their record), behind the access decision point. */
export { portalPlugin, type PortalOptions } from './routes.ts';
export { listPeople, readSection, SECTIONS, SECTION_NAMES, SECTION_LIMIT, type Section, type PersonEntry, type RecordItem } from './record.ts';
