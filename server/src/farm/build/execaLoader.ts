/**
 * execa is ESM-only. The bundles (esbuild) inline it either way, but the
 * tests run this code as CommonJS under tsx, where a static import fails
 * inside execa's own dependencies; a dynamic import loads it as ESM.
 */
let loaded: Promise<typeof import('execa')> | undefined;

export const loadExeca = (): Promise<typeof import('execa')> => (loaded ??= import('execa'));
