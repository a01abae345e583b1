import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';

/**
 * The CapabilityStatement lists exactly what this server does (https://hl7.org/fhir/R4/capabilitystatement.html):
 * every resource type with the interactions above, and only the search parameters the search
 * engine really supports.
 */
export interface CapabilityInputs {
  baseUrl: string;
  version: string;
  resourceTypes: readonly string[];
  searchParams: (type: string) => { name: string; type: string; definition?: string | undefined; documentation?: string | undefined }[];
  publishedAt: string;
  /** Operations by `Type/$name`, with their OperationDefinition canonicals. */
  operations?: { type: string; name: string; definition: string }[];
  /** Types served read-only (read and search only), with their search parameters. */
  readOnly?: Record<string, { searchParams: { name: string; type: string; documentation?: string | undefined }[] }>;
}

const INTERACTIONS: CapabilityStatementRestResource['interaction'] = [
  { code: 'read' },
  { code: 'vread' },
  { code: 'update' },
  { code: 'delete' },
  { code: 'history-instance' },
  { code: 'history-type' },
  { code: 'create' },
  { code: 'search-type' },
];

/** A type kept in the resource store: every interaction. */
function storedResource(inputs: CapabilityInputs, type: string): CapabilityStatementRestResource {
  return {
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: INTERACTIONS,
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalUpdate: true,
    conditionalDelete: 'not-supported',
    searchInclude: [`${type}:*`],
    searchRevInclude: ['*'],
    ...((inputs.operations ?? []).some((o) => o.type === type)
      ? { operation: (inputs.operations ?? []).filter((o) => o.type === type).map((o) => ({ name: o.name, definition: o.definition })) }
      : {}),
    searchParam: inputs.searchParams(type).map((p) => ({
      name: p.name,
      type: p.type as 'string',
      ...(p.definition ? { definition: p.definition } : {}),
      ...(p.documentation ? { documentation: p.documentation } : {}),
    })),
  };
}

/** A type served read-only (AuditEvent): read and search. */
function readOnlyResource(type: string, params: { name: string; type: string; documentation?: string | undefined }[]): CapabilityStatementRestResource {
  return {
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    documentation: 'Read-only: written by the server itself',
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: params.map((p) => ({ name: p.name, type: p.type as 'string', ...(p.documentation ? { documentation: p.documentation } : {}) })),
  };
}

export function buildCapabilityStatement(inputs: CapabilityInputs): CapabilityStatement {
  const fhirBase = `${inputs.baseUrl}/fhir/R4`;
  const resources: CapabilityStatementRestResource[] = inputs.resourceTypes
    .filter((t) => t !== 'Resource' && t !== 'DomainResource')
    .map((type): CapabilityStatementRestResource => {
      const readOnly = inputs.readOnly?.[type];
      return readOnly ? readOnlyResource(type, readOnly.searchParams) : storedResource(inputs, type);
    });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: inputs.publishedAt,
    publisher: 'Kennebec',
    kind: 'instance',
    software: { name: 'Kennebec', version: inputs.version },
    implementation: { description: 'Kennebec FHIR R4 server', url: fhirBase },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [
            {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
              text: 'OAuth 2.0 bearer tokens (SMART Backend Services: client_credentials)',
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [{ url: 'token', valueUri: `${inputs.baseUrl}/oauth2/token` }],
            },
          ],
        },
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
      },
    ],
  };
}
