// The scale subresource (autoscaling/v1 Scale) of Deployments, StatefulSets, ReplicaSets and custom resources.
import { labelSelectorFromObject, labelSelectorToString } from './selectors.ts';
import type { KObject, ObjectService, WriteContext } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { applyJsonPatch } from '../registry/patch/jsonpatch.ts';
import { applyMergePatch } from '../registry/patch/mergepatch.ts';
import { invalid, unsupportedMediaType } from './errors.ts';
import { fieldInvalid } from '../registry/validation.ts';
import { decodeObject, parseJson } from './body.ts';

function toScale(obj: KObject): KObject {
  let selector = '';
  try {
    selector = obj.spec?.selector ? labelSelectorToString(labelSelectorFromObject(obj.spec.selector)) : '';
  } catch {
    selector = '';
  }
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

export async function getScale(objects: ObjectService, res: ResourceInfo, namespace: string | undefined, name: string): Promise<KObject> {
  return toScale(await objects.get(res, namespace, name));
}

export async function updateScale(objects: ObjectService, res: ResourceInfo, namespace: string | undefined, name: string,
  body: Buffer, type: string, verb: 'update' | 'patch', write: WriteContext): Promise<KObject> {
  const updated = await objects.modify(res, namespace, name, (current) => {
    const scale = toScale(current);
    let next: KObject;
    if (verb === 'update') next = decodeObject(body, type) as KObject;
    else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') next = applyMergePatch(scale, parseJson(body)) as KObject;
    else if (type === 'application/json-patch+json') next = applyJsonPatch(scale, parseJson(body)) as KObject;
    else throw unsupportedMediaType(type, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    const replicas = next?.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', name, [fieldInvalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0')]);
    }
    const wantedRv = next.metadata?.resourceVersion;
    return { ...current, metadata: { ...current.metadata, ...(wantedRv ? { resourceVersion: wantedRv } : {}) }, spec: { ...current.spec, replicas } };
  }, write);
  return toScale(updated);
}
