// The label selector of a ClusterSelector or NamespaceSelector (spec.selector), as upstream converts it
// (metav1.LabelSelectorAsSelector): invalid selectors and empty ones are errors.
import { labelSelectorFromObject, type LabelSelector, SelectorError } from '../apiserver/selectors.ts';
import * as knv from './knv.ts';
import type { FileObject } from './objects.ts';
import { sourceOf } from './raw-validation.ts';

/** `withPath` false before objects carry their source path (cluster selection). */
export function selectorOf(fo: FileObject, withPath: boolean): LabelSelector | knv.KnvError {
  let selector: LabelSelector;
  try {
    selector = labelSelectorFromObject(fo.object.spec?.selector ?? {});
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    return knv.invalidSelector(sourceOf(fo, withPath), e.message);
  }
  return selector.requirements.length ? selector : knv.emptySelector(sourceOf(fo, withPath));
}

export function isKnvError(value: object): value is knv.KnvError {
  return 'code' in value && 'message' in value;
}
