// The shape of a kind's strategy, and the default one.
import type { FieldError } from '../apiserver/errors.ts';
import type { ObjectService, WriteContext } from './objects.ts';
import type { ResourceInfo } from './types.ts';
import { dns1123Subdomain, type NameRule } from './validation.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

export interface Strategy {
  nameRule: NameRule;
  /** PUT of a missing object creates it. */
  allowCreateOnUpdate: boolean;
  prepareForCreate(obj: KObject, res: ResourceInfo, ctx: WriteContext): void;
  prepareForUpdate(obj: KObject, old: KObject, res: ResourceInfo): void;
  /** Adjusts a write through the status (or approval) subresource. */
  prepareForStatusUpdate?(obj: KObject, old: KObject): void;
  defaults(obj: KObject): void;
  validate(obj: KObject, res: ResourceInfo): FieldError[];
  validateUpdate(obj: KObject, old: KObject, res: ResourceInfo): FieldError[];
  /** Field selector fields beyond metadata.name/namespace: field name → dotted path of its value in the object. */
  selectableFields?: Record<string, string>;
  /** Decides whether a delete only marks the object (returns true) and may adjust it; default: when finalizers remain. */
  prepareForDelete?(obj: KObject, finalizers: string[]): boolean;
  /** An object marked for deletion is removed once this holds; default: no metadata.finalizers left. */
  isFinalized?(obj: KObject): boolean;
  /** Checks that need the store (other objects), after validate; old is absent on create. May add warnings to ctx. */
  admit?(service: ObjectService, obj: KObject, old: KObject | undefined, ctx: WriteContext): Promise<FieldError[]>;
  afterWrite?(service: ObjectService, res: ResourceInfo, obj: KObject): Promise<void>;
  afterDelete?(service: ObjectService, res: ResourceInfo, obj: KObject): Promise<void>;
}

export const baseStrategy: Strategy = {
  nameRule: dns1123Subdomain,
  allowCreateOnUpdate: false,
  prepareForCreate() {},
  prepareForUpdate() {},
  defaults() {},
  validate: () => [],
  validateUpdate: () => [],
};
