type Model = new (data: never) => { validate(): void };

/**
 * The Kubernetes kinds the export writes, each with the upstream OpenAPI
 * schema that kubernetes-models compiles. Loaded on first use: the package is
 * ESM-only, and only `k8s export` needs it.
 */
const models: Readonly<Record<string, () => Promise<Model>>> = {
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment as Model,
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap as Model,
  'v1/Secret': async () => (await import('kubernetes-models/v1/Secret')).Secret as Model,
};

/**
 * Checks objects against the Kubernetes API schemas. Returns one message per
 * invalid object; an unknown kind is reported rather than waved through.
 */
export async function validateAgainstKubernetesSchemas(objects: readonly Record<string, unknown>[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const id = `${String(object.apiVersion)}/${String(object.kind)}`;
    const load = models[id];
    if (!load) {
      problems.push(`${id}: no schema known for this kind`);
      continue;
    }
    const Kind = await load();
    try {
      new Kind(object as never).validate();
    } catch (error) {
      problems.push(`${id} ${JSON.stringify((object.metadata as { name?: string } | undefined)?.name ?? '')}: ${(error as Error).message}`);
    }
  }
  return problems;
}
