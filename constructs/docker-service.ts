import { Container, type ContainerHealthcheck } from "@cdktf/provider-docker/lib/container";
import type { Network as DockerNetwork } from "@cdktf/provider-docker/lib/network";
import { Construct, type ITerraformDependable } from "../lib/cdktf";

export interface PublishedPort {
  readonly containerPort: number;
  readonly hostPort: number;
  /** Host address to bind. @default "127.0.0.1" (never the LAN unless asked) */
  readonly hostAddress?: string;
}

export interface DockerServiceProps {
  /** Container name, also its DNS name on the network. */
  readonly name: string;
  /** Image id or reference (e.g. `Image.imageId`). */
  readonly image: string;
  readonly network: DockerNetwork;
  /** Extra DNS names on the network (e.g. a role name shared by replicas). */
  readonly aliases?: readonly string[];
  /** Arguments after the image's entrypoint. */
  readonly command?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly ports?: readonly PublishedPort[];
  /** Health check; Terraform waits until the container is healthy. @default none */
  readonly healthcheck?: { readonly test: readonly string[]; readonly intervalSeconds?: number; readonly retries?: number; readonly startPeriodSeconds?: number };
  readonly volumes?: ReadonlyArray<{ readonly volumeName: string; readonly containerPath: string }>;
  /** Files written into the container before it starts (e.g. a proxy configuration); needs a writable root filesystem. */
  readonly files?: ReadonlyArray<{ readonly path: string; readonly content: string }>;
  /**
   * Mount the root filesystem read-only, with a tmpfs at /tmp. Images that write to their own
   * filesystem (databases) opt out. @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /** Linux capabilities the image needs back after all are dropped. @default none */
  readonly capabilities?: readonly string[];
  readonly memoryMb?: number;
  /** Run to completion once (e.g. migrations) instead of as a long-running service. @default false */
  readonly runOnce?: boolean;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One container of the local stack, hardened by default: all capabilities dropped, no privilege
 * escalation, read-only root filesystem, ports published on loopback only, restarted unless
 * stopped, and (with a health check) created only once healthy so dependents start in order.
 */
export class DockerService extends Construct {
  readonly container: Container;
  readonly name: string;

  constructor(scope: Construct, id: string, props: DockerServiceProps) {
    super(scope, id);
    this.name = props.name;
    const readOnly = props.readOnlyRootFilesystem ?? true;
    const runOnce = props.runOnce ?? false;
    if (readOnly && props.files?.length) {
      // Docker refuses to copy files into a container whose root filesystem is read-only.
      throw new Error(`DockerService ${props.name}: files need readOnlyRootFilesystem: false`);
    }

    this.container = new Container(this, "container", {
      name: props.name,
      image: props.image,
      command: props.command ? [...props.command] : undefined,
      env: props.env ? Object.entries(props.env).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`) : undefined,
      networksAdvanced: [{ name: props.network.name, aliases: [props.name, ...(props.aliases ?? [])] }],
      ports: props.ports?.map((p) => ({ internal: p.containerPort, external: p.hostPort, ip: p.hostAddress ?? "127.0.0.1" })),
      healthcheck: props.healthcheck ? healthcheck(props.healthcheck) : undefined,
      volumes: props.volumes?.map((v) => ({ volumeName: v.volumeName, containerPath: v.containerPath })),
      upload: props.files?.map((f) => ({ file: f.path, content: f.content })),
      readOnly,
      tmpfs: readOnly ? { "/tmp": "rw,noexec,nosuid,size=64m" } : undefined,
      capabilities: { drop: ["ALL"], add: props.capabilities ? [...props.capabilities] : undefined },
      securityOpts: ["no-new-privileges:true"],
      memory: props.memoryMb,
      init: true,
      ...(runOnce
        ? { mustRun: false, restart: "no", attach: true, logs: true }
        : { restart: "unless-stopped", wait: props.healthcheck !== undefined, waitTimeout: 120 }),
      dependsOn: props.dependsOn,
    });
  }
}

function healthcheck(check: NonNullable<DockerServiceProps["healthcheck"]>): ContainerHealthcheck {
  return {
    test: [...check.test],
    interval: `${check.intervalSeconds ?? 5}s`,
    timeout: "3s",
    retries: check.retries ?? 12,
    startPeriod: `${check.startPeriodSeconds ?? 5}s`,
  };
}
