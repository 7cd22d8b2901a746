import { isMap, type Scalar } from 'yaml';
import type { TextEdit } from 'vscode-languageserver-types';
import { getPair, mapsIn, podSpecOf, scalarText, type KubeObject, type ManifestFile } from './manifests';

/**
 * Edits that turn a ConfigMap into a Secret of the same name and repoint every
 * volume of the file that mounted it. The config text moves unchanged
 * (`stringData` takes plain text), so nodes still get the same file; what
 * changes is who may read it: ConfigMaps are readable by anyone who can list
 * the namespace and usually end up in git, Secrets can be locked down.
 */
export function secretConversionEdits(file: ManifestFile, configMap: KubeObject): TextEdit[] {
  const kind = getPair(configMap.root, ['kind']);
  const data = getPair(configMap.root, ['data']);
  if (!kind || !data) return [];
  const edits: TextEdit[] = [
    { range: file.rangeOf(kind.value as Scalar), newText: 'Secret' },
    { range: file.rangeOf(data.key as Scalar), newText: 'stringData' },
  ];
  for (const object of file.objects) {
    const spec = podSpecOf(object);
    for (const volume of spec ? mapsIn(spec.get('volumes', true)) : []) {
      const source = getPair(volume, ['configMap']);
      if (!source || !isMap(source.value)) continue;
      const name = getPair(source.value, ['name']);
      if (scalarText(name?.value) !== configMap.name || !name) continue;
      edits.push({ range: file.rangeOf(source.key as Scalar), newText: 'secret' });
      edits.push({ range: file.rangeOf(name.key as Scalar), newText: 'secretName' });
    }
  }
  return edits;
}
