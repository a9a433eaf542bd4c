// Realistic CRDs shared by the crd/ tests: the CronTab of the Kubernetes docs and a fragment of
// Karmada's PropagationPolicy.

import type { JSONSchemaProps } from '../types.ts';
import type { CustomResourceDefinition } from './validation.ts';

export const cronTabSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
      },
    },
  },
};

export function cronTabCRD(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: structuredClone(cronTabSchema) } }],
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
    },
  };
}

export const propagationPolicySchema: JSONSchemaProps = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['resourceSelectors'],
      properties: {
        resourceSelectors: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['apiVersion', 'kind'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              name: { type: 'string' },
              namespace: { type: 'string' },
              labelSelector: {
                type: 'object',
                properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
                'x-kubernetes-map-type': 'atomic',
              },
            },
          },
        },
        priority: { type: 'integer', format: 'int32', default: 0 },
        conflictResolution: { type: 'string', enum: ['Abort', 'Overwrite'], default: 'Abort' },
        propagateDeps: { type: 'boolean' },
        placement: {
          type: 'object',
          properties: {
            clusterAffinity: {
              type: 'object',
              properties: {
                clusterNames: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
                exclude: { type: 'array', items: { type: 'string' } },
              },
            },
            replicaScheduling: {
              type: 'object',
              properties: {
                replicaSchedulingType: { type: 'string', enum: ['Duplicated', 'Divided'], default: 'Divided' },
                replicaDivisionPreference: { type: 'string', enum: ['Aggregated', 'Weighted'] },
              },
            },
            spreadConstraints: {
              type: 'array',
              items: {
                type: 'object',
                required: ['spreadByField'],
                properties: {
                  spreadByField: { type: 'string', enum: ['cluster', 'region', 'zone', 'provider'] },
                  maxGroups: { type: 'integer' },
                  minGroups: { type: 'integer' },
                },
              },
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['spreadByField'],
            },
          },
        },
        failover: {
          type: 'object',
          properties: {
            application: {
              type: 'object',
              properties: {
                gracePeriodSeconds: { type: 'integer', format: 'int32', minimum: 0 },
                decisionConditions: {
                  type: 'object',
                  properties: { tolerationSeconds: { type: 'integer', format: 'int32', default: 300 } },
                },
              },
            },
          },
        },
      },
    },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

export function propagationPolicyCRD(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'propagationpolicies.policy.karmada.io' },
    spec: {
      group: 'policy.karmada.io',
      names: { kind: 'PropagationPolicy', listKind: 'PropagationPolicyList', plural: 'propagationpolicies', singular: 'propagationpolicy', shortNames: ['pp'], categories: ['karmada-io'] },
      scope: 'Namespaced',
      versions: [{
        name: 'v1alpha1', served: true, storage: true,
        schema: { openAPIV3Schema: structuredClone(propagationPolicySchema) },
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'CONFLICT-RESOLUTION', type: 'string', jsonPath: '.spec.conflictResolution' },
          { name: 'PRIORITY', type: 'integer', jsonPath: '.spec.priority' },
          { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      }],
    },
  };
}
