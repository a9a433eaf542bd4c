// The table of controllers a control plane runs.
import type { Logger } from 'pino';
import type { ObjectService } from '../registry/objects.ts';
import { crdController } from './crd.ts';
import { garbageCollector } from './garbagecollector.ts';
import { namespaceController } from './namespace.ts';
import type { Controller } from './runtime.ts';

const CONTROLLERS: Array<(objects: ObjectService, logger: Logger) => Controller> = [
  namespaceController,
  garbageCollector,
  crdController,
];

export function startControllers(objects: ObjectService, logger: Logger): Controller {
  const running = CONTROLLERS.map((start) => start(objects, logger));
  return {
    async stop() {
      await Promise.all(running.map((c) => c.stop()));
    },
  };
}
