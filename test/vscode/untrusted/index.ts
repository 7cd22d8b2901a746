import { runMocha } from '../support/runMocha';

export function run(): Promise<void> {
  return runMocha(__dirname);
}
