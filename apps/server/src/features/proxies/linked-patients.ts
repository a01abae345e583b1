/**
 * The port through which proxies learn which Patient records a user account is linked to as
 * that person themself (an adult managing their own proxies). The enrollment feature owns those
 * links and supplies the function through the composition root; without it, no account is
 * linked to any record and the patient-side proxy routes have nothing to act on.
 */
export interface LinkedPatient {
  patientId: string;
  orgId: string;
}

export type LinkedPatients = (userId: string) => Promise<LinkedPatient[]>;

export const noLinkedPatients: LinkedPatients = () => Promise.resolve([]);
