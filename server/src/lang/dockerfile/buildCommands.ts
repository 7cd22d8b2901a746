/**
 * The commands behind the Dockerfile code lenses, shared by the language
 * service (which puts them on the lenses) and the client (which runs them).
 * Kept free of imports so the client bundle does not pull in the parser.
 */
export const BUILD_STAGE_COMMAND = 'netbootFarm.buildStage';
export const BUILD_IMAGE_COMMAND = 'netbootFarm.buildImage';

export interface BuildCommandArgs {
  /** The Dockerfile. */
  readonly uri: string;
  /** The stage the lens sits on; absent for an unnamed final stage. */
  readonly stage?: string;
}
