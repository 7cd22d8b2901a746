// The boot preview's panel test goes here once the preview exists: run
// `netbootFarm.bootFarm` on the example farm, wait for the panel, check that
// it receives the boot events (DHCP lease, TFTP, NBD, console) from a real
// QEMU VM, and take screenshot('preview') from ../support/screenshot.
describe('boot preview', () => {
  it('opens the preview panel and receives boot events from a booting VM');
});
