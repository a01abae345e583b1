import { compose, fhirApiFor, shutdown, loadConfig, seedDemo } from '@kennebec/server';
import { commandLogger, type CliIo } from '../io.ts';

export async function seedCommand(io: CliIo, patients: number | undefined): Promise<number> {
  const deps = await compose(loadConfig(io.env), { logger: commandLogger(io.env) });
  try {
    const result = await seedDemo(deps, { dispatch: fhirApiFor(deps).dispatch, ...(patients !== undefined ? { patientsPerOrg: patients } : {}), log: io.out });
    io.out(result.seeded ? `Seeded ${result.resources} resources and ${result.messages} feed messages` : 'Demo data already present; nothing to do');
    return 0;
  } finally {
    await shutdown(deps);
  }
}
