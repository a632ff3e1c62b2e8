/** The slice of k6's JavaScript API the generated scripts use (k6 provides these at run time). */
declare module "k6/http" {
  interface RefinedResponse {
    status: number;
    body: string | null;
    json(): any;
  }
  interface Params {
    headers?: Record<string, string>;
    tags?: Record<string, string>;
    responseType?: "text" | "none";
  }
  const http: {
    request(method: string, url: string, body?: string | null, params?: Params): RefinedResponse;
    post(url: string, body?: string | null, params?: Params): RefinedResponse;
  };
  export default http;
}

declare module "k6" {
  export function sleep(seconds: number): void;
  export function fail(message: string): never;
}

declare module "k6/execution" {
  const execution: {
    vu: { idInTest: number; iterationInScenario: number };
    scenario: { startTime: number; iterationInTest: number };
  };
  export default execution;
}

/** k6 globals in the init context. */
declare const __ENV: Record<string, string | undefined>;
declare function open(path: string): string;
