/**
 * Asks the headless host (scripts/vscode-host/headless-code.mjs) for a
 * screenshot of the whole window into .vscode-test-screens/NAME.png. In a
 * downloaded desktop VS Code there is no host to ask, and this does nothing.
 */
export async function screenshot(name: string): Promise<string | undefined> {
  const url = process.env.NETBOOT_FARM_SCREENSHOT_URL;
  if (!url) return undefined;
  // Let the workbench paint what the test just did.
  await new Promise((resolve) => setTimeout(resolve, 800));
  const response = await fetch(`${url}?name=${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`screenshot ${name}: ${await response.text()}`);
  return (await response.text()).trim();
}
