// The visible differences between what rp9 wants and what runs, for a
// container or a Swarm service alike: the image and rp9's labels (not the
// spec hash itself); the configuration hash when nothing visible differs.
import { LABEL, type FieldChange } from '../model.js';

export interface SpecFields {
  image: string;
  hash: string;
  labels: Record<string, string>;
}

export function specFieldChanges(desired: SpecFields, observed: SpecFields): FieldChange[] {
  const changes: FieldChange[] = [];
  if (observed.image !== desired.image) changes.push({ field: 'image', from: observed.image, to: desired.image });
  const keys = new Set([...Object.keys(desired.labels), ...Object.keys(observed.labels).filter((key) => key.startsWith('rp9.io/'))]);
  keys.delete(LABEL.specHash);
  for (const key of [...keys].sort()) {
    if (observed.labels[key] !== desired.labels[key]) changes.push({ field: `labels.${key}`, from: observed.labels[key], to: desired.labels[key] });
  }
  if (changes.length === 0) changes.push({ field: 'config', from: observed.hash || '(none)', to: desired.hash });
  return changes;
}
