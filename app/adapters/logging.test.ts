import { describe, expect, it } from "vitest";
import { traceFields } from "./logging";

describe("traceFields", () => {
  it("reads X-Cloud-Trace-Context", () => {
    expect(traceFields({ "x-cloud-trace-context": "105445aa7843bc8bf206b12000100000/1;o=1" }, "acme")).toEqual({
      "logging.googleapis.com/trace": "projects/acme/traces/105445aa7843bc8bf206b12000100000",
      "logging.googleapis.com/spanId": "1",
      "logging.googleapis.com/trace_sampled": true,
    });
  });

  it("reads W3C traceparent", () => {
    expect(traceFields({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }, "acme")).toMatchObject({
      "logging.googleapis.com/trace": "projects/acme/traces/4bf92f3577b34da6a3ce929d0e0e4736",
      "logging.googleapis.com/spanId": "00f067aa0ba902b7",
    });
  });

  it("adds nothing without a project or a well-formed header", () => {
    expect(traceFields({ "x-cloud-trace-context": "105445aa7843bc8bf206b12000100000/1;o=1" }, undefined)).toEqual({});
    expect(traceFields({ "x-cloud-trace-context": "<script>" }, "acme")).toEqual({});
  });
});
