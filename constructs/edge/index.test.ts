import { describe, expect, it } from "vitest";
import { resourcesOf } from "../../test/support/synth";
import { backend, FROM_BUCKET, one, ref, synthEdge } from "../../test/support/edge";

describe("Edge routing", () => {
  const { json, edge } = synthEdge();

  it("reaches api and realtime through serverless NEGs on their Cloud Run services", () => {
    for (const role of ["api", "realtime"] as const) {
      expect(one(json, "google_compute_region_network_endpoint_group", `edge_${role}-neg`)).toMatchObject({
        network_endpoint_type: "SERVERLESS",
        region: "us-central1",
        cloud_run: { service: expect.stringMatching(new RegExp(`^\\$\\{google_cloud_run_v2_service\\.${role}_service_[0-9A-F]+\\.name\\}$`)) },
      });
      expect(backend(json, role)).toMatchObject({
        load_balancing_scheme: "EXTERNAL_MANAGED",
        backend: [{ group: ref("google_compute_region_network_endpoint_group", `${role}-neg`) }],
      });
      // Serverless NEGs reject health checks.
      expect(backend(json, role)).not.toHaveProperty("health_checks");
    }
  });

  it("sends /api/* and /healthz to the api, /ws to realtime and everything else (the static site) to the api by default: no public bucket", () => {
    const map = one(json, "google_compute_url_map");
    const api = ref("google_compute_backend_service", "api-backend");
    expect(map.default_service).toEqual(api);
    expect(map.path_matcher).toEqual([
      {
        name: "routes",
        default_service: api,
        path_rule: [
          { paths: ["/api", "/api/*", "/healthz"], service: api },
          { paths: ["/ws", "/ws/*"], service: ref("google_compute_backend_service", "realtime-backend") },
        ],
      },
    ]);
    expect(resourcesOf(json, "google_storage_bucket")).toEqual({});
    expect(resourcesOf(json, "google_storage_bucket_iam_member")).toEqual({});
    expect(resourcesOf(json, "google_compute_backend_bucket")).toEqual({});
    expect(edge.staticBucket).toBeUndefined();
  });

  it("sends the static site to the bucket's backend with serveFrom = bucket", () => {
    const map = one(synthEdge({ staticAssets: FROM_BUCKET }).json, "google_compute_url_map");
    const bucket = ref("google_compute_backend_bucket", "static-backend");
    expect(map.default_service).toEqual(bucket);
    expect(map.path_matcher[0].default_service).toEqual(bucket);
    expect(map.test.find((t: any) => t.path === "/index.html").service).toEqual(bucket);
  });

  it("ships routing tests that the Compute API checks on every apply", () => {
    const tests = one(json, "google_compute_url_map").test as any[];
    expect(tests.map((t) => [t.path, t.service])).toEqual([
      ["/api/transactions", ref("google_compute_backend_service", "api-backend")],
      ["/healthz", ref("google_compute_backend_service", "api-backend")],
      ["/ws", ref("google_compute_backend_service", "realtime-backend")],
      ["/index.html", ref("google_compute_backend_service", "api-backend")],
    ]);
  });

  it("logs requests on every backend at the configured sample rate", () => {
    for (const role of ["api", "realtime"] as const) expect(backend(json, role).log_config).toEqual({ enable: true, sample_rate: 1 });
    const sampled = synthEdge({ logSampleRate: 0.25 }).json;
    for (const role of ["api", "realtime"] as const) expect(backend(sampled, role).log_config).toEqual({ enable: true, sample_rate: 0.25 });
  });

  it("exposes the names dashboards and LB metric filters need", () => {
    expect(edge.names).toEqual({
      urlMap: "vz-test-edge",
      backendServices: { api: "vz-test-api-backend", realtime: "vz-test-realtime-backend" },
      securityPolicy: "vz-test-armor",
      servingForwardingRule: "vz-test-edge-http",
    });
    expect(backend(json, "api").name).toBe(edge.names.backendServices.api);
    expect(one(json, "google_compute_url_map").name).toBe(edge.names.urlMap);
  });
});
