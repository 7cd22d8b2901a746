import type { RuleCatalog } from '../core/diagnostics';

/**
 * What goes wrong when a netboot farm moves to Kubernetes. Only netboot
 * matters here: general manifest linting is kubeconform's and kubectl's job.
 */
export const kubernetesRules = {
  K8S001: {
    severity: 'error',
    message:
      '{kind} `{name}` runs {server} (container `{container}`) without `hostNetwork: true`. {why} Set `hostNetwork: true` in the pod spec{path}.',
  },
  K8S002: {
    severity: 'warning',
    message:
      'Service `{name}` puts {server} (port {port}/UDP) behind Service NAT. {why} Remove the Service and run the pods with `hostNetwork: true` (or give them their own address on the boot network, as pipework or Multus do).',
  },
  K8S003: {
    severity: 'warning',
    message:
      '`{key}` from {holder} `{source}` appears at `{path}` in container `{container}`, but clients fetch it by TFTP from `{expected}` (the TFTP root `{root}` + `ltsp/<arch>/lts.conf`). Mount it there with `subPath: {key}`, or link it there from a postStart hook.',
  },
  K8S004: {
    severity: 'error',
    message:
      'Volume `{volume}` is mounted over `{path}`, the folder that holds the bootloader, kernel and initramfs: the mount hides them and every client fails to boot. Mount only the file (`mountPath: {path}/{key}` with `subPath: {key}`) or a subfolder.',
  },
  K8S005: {
    severity: 'warning',
    message:
      'Image `{image}` has {tag}: every restart may pull a different image, and the kernel the clients boot no longer matches the squashfs they mount. Use the tag your image build produced (`netboot-farm build` prints it).',
  },
  K8S006: {
    severity: 'error',
    message: '`apiVersion: {apiVersion}` for {kind} was removed in Kubernetes 1.16; clusters refuse it. Use `apiVersion: {replacement}`{extra}.',
  },
  K8S007: { severity: 'error', message: 'This is not valid YAML: {reason}. Nothing else in the file was checked.' },
  K8S008: {
    severity: 'warning',
    message:
      'Volume `{volume}` takes {holder} `{source}`, which no document of this file defines{known}. If it lives in another file, ignore this; otherwise the pod stays in ContainerCreating. Define it, or fix the name.',
  },
} as const satisfies RuleCatalog<string>;

export type KubernetesCode = keyof typeof kubernetesRules;
