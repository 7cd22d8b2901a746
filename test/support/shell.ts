import { createShellChecker } from '../../server/src/host/shellChecker';

/** The real mvdan/sh parser, shared by the tests of one process. */
export const shell = createShellChecker();
