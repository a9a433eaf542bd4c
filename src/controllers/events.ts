// core/v1 Events about objects, as client-go's event recorder writes them: one Event per object, reason and
// message, its count raised when the same thing happens again. The name is derived from what the event says, so
// a repeat after a restart finds the same Event. Recording never fails the caller.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { rfc3339 } from '../gofmt.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(object: KObject, type: EventType, reason: string, message: string): void;
}

export function eventRecorder(objects: ObjectService, logger: Logger, component: string): EventRecorder {
  const events = objects.registry.lookup('', 'v1', 'events')!;
  return {
    record(object, type, reason, message) {
      const meta = object.metadata ?? {};
      const namespace: string = meta.namespace || 'default';
      const digest = createHash('sha256').update(`${meta.uid}\n${type}\n${reason}\n${message}`).digest('hex').slice(0, 16);
      const name = `${meta.name}.${digest}`;
      const now = rfc3339(Date.now());
      const event = {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: object.apiVersion, kind: object.kind, name: meta.name, uid: meta.uid, resourceVersion: meta.resourceVersion,
          ...(meta.namespace ? { namespace: meta.namespace } : {}),
        },
        type, reason, message, count: 1, firstTimestamp: now, lastTimestamp: now,
        source: { component }, reportingComponent: component, reportingInstance: component,
      };
      objects.create(events, namespace, event).catch((e) => {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
        return objects.modify(events, namespace, name, (current) => ({ ...current, count: (current.count ?? 1) + 1, lastTimestamp: now }));
      }).catch((e) => logger.debug({ err: String(e), reason }, 'event not recorded'));
    },
  };
}
