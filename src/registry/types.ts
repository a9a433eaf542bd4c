// What the registry knows about one served resource (one group/version/plural).

export interface GroupVersionKind {
  group: string; // '' for the core group
  version: string;
  kind: string;
}

export interface TableColumn {
  name: string;
  type: string; // 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format: string; // '' | 'name' | 'date' ...
  description: string;
  priority: number; // 0: always shown; 1: only with -o wide
  /** For CRD printer columns: the JSONPath into the object. */
  jsonPath?: string;
}

export interface ResourceInfo extends GroupVersionKind {
  plural: string;
  singular: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served: 'status', 'scale'. */
  subresources: string[];
  /** For built-in kinds: the OpenAPI definition name, e.g. 'io.k8s.api.apps.v1.Deployment'. */
  definition?: string;
  /** For custom resources: the CRD's openAPIV3Schema of this version. */
  crdSchema?: JSONSchemaProps;
  /** For custom resources: the CRD's additionalPrinterColumns of this version. */
  printerColumns?: TableColumn[];
  /** Whether this version is the storage version (CRDs); built-ins always true. */
  storage: boolean;
}

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps Canopy interprets. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  multipleOf?: number;
  uniqueItems?: boolean;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  [extension: string]: unknown;
}
