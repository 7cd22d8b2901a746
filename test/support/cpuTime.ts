/**
 * Runs `work` and returns the CPU time it took, in milliseconds. The fuzz
 * tests bound each input's cost this way rather than by wall time, which on
 * a shared machine counts other processes' load as ours.
 */
export async function cpuMillis(work: () => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  await work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}
