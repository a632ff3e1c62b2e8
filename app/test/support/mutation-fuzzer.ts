/**
 * A mutation fuzzer for what an OpenAPI schema cannot express: valid requests of every api and
 * worker route (the corpus), each bent by one mutation at the byte, JSON, header, URL, method or
 * protocol level (invalid UTF-8, NULs, lone surrogates, duplicate keys, odd content types, huge
 * headers and bodies, deep nesting, prototype keys, bad percent-encoding, unusual methods...).
 * Cases are drawn with fast-check from a seed, so a run is reproducible case for case.
 */
import fc from "fast-check";

/** What the corpus fills its templates with: the seeded tenant's ids. */
export interface FuzzContext {
  readonly token: string;
  readonly userId: string;
  readonly accountId: string;
  readonly categoryId: string;
  readonly transactionId: string;
  readonly importId: string;
}

export type FuzzTarget = "api" | "worker";

/** A request as parts; `serialize` turns it into bytes, adding Host and Content-Length unless told not to. */
export interface FuzzRequest {
  readonly target: FuzzTarget;
  readonly route: string;
  method: string;
  /** Path and query string, sent as is (already percent-encoded, or deliberately not). */
  url: string;
  version: string;
  /** An empty name sends the value as a whole header line (malformed on purpose). */
  headers: Array<[string, string | Buffer]>;
  /** JSON bodies stay values until serialized, so JSON-level mutations can reach into them. */
  json?: unknown;
  body?: Buffer;
  autoLength: boolean;
  lineEnd: string;
  /** Incomplete on purpose (say a chunked body without its last CRLF): the client half-closes after it. */
  incomplete?: boolean;
}

export interface FuzzCase {
  readonly index: number;
  readonly target: FuzzTarget;
  readonly route: string;
  readonly mutation: string;
  readonly bytes: Buffer;
  readonly incomplete: boolean;
}

type Template = (context: FuzzContext, nonce: number) => FuzzRequest;
/** What a route's body is, which decides the mutations that reach into it. */
type BodyKind = "json" | "csv" | "none";
type Mutation = (request: FuzzRequest) => FuzzRequest;

const json = (target: FuzzTarget, route: string, method: string, url: string, body: unknown, token?: string): FuzzRequest => ({
  target,
  route,
  method,
  url,
  version: "HTTP/1.1",
  headers: [["Host", "127.0.0.1"], ...(token ? [["Authorization", `Bearer ${token}`] as [string, string]] : []), ["Content-Type", "application/json"]],
  json: body,
  autoLength: true,
  lineEnd: "\r\n",
});
const get = (route: string, url: string, token?: string): FuzzRequest => ({
  target: "api",
  route,
  method: "GET",
  url,
  version: "HTTP/1.1",
  headers: [["Host", "127.0.0.1"], ...(token ? [["Authorization", `Bearer ${token}`] as [string, string]] : [])],
  autoLength: false,
  lineEnd: "\r\n",
});

/** One valid request per route, with a weight (registering costs a 30 ms scrypt hash, so fewer). */
const CORPUS: ReadonlyArray<readonly [number, BodyKind, Template]> = [
  [1, "json", (_c, n) => json("api", "register", "POST", "/api/auth/register", { email: `fuzz-${n}@example.com`, password: "correct horse battery", name: "Fuzz" })],
  [1, "json", () => json("api", "login", "POST", "/api/auth/login", { email: "nobody@example.com", password: "correct horse battery" })],
  [3, "none", (c) => get("listAccounts", "/api/accounts", c.token)],
  [4, "json", (c) => json("api", "createAccount", "POST", "/api/accounts", { name: "Savings", currency: "EUR" }, c.token)],
  [2, "none", (c) => get("listCategories", "/api/categories", c.token)],
  [3, "json", (c) => json("api", "setBudget", "POST", "/api/budgets", { category_id: c.categoryId, monthly_limit: "250.00" }, c.token)],
  [6, "none", (c) => get("listTransactions", `/api/transactions?account_id=${c.accountId}&from=2025-01-01&to=2025-12-31&page=1&per_page=5`, c.token)],
  [
    8,
    "json",
    (c, n) => {
      const request = json("api", "createTransaction", "POST", "/api/transactions", { account_id: c.accountId, amount: "-12.50", description: "Corner shop", occurred_at: "2025-03-04T10:00:00Z", category_id: c.categoryId }, c.token);
      request.headers.push(["Idempotency-Key", `fuzz-${n}`]);
      return request;
    },
  ],
  [
    6,
    "csv",
    (c) => ({
      ...json("api", "startImport", "POST", `/api/imports?account_id=${c.accountId}`, undefined, c.token),
      headers: [["Host", "127.0.0.1"], ["Authorization", `Bearer ${c.token}`], ["Content-Type", "text/csv"]],
      json: undefined,
      body: Buffer.from("date,description,amount\n2025-01-31,Coffee,-3.20\n2025-02-01,\"Rent, February\",-900\n"),
    }),
  ],
  [2, "none", (c) => get("getImport", `/api/imports/${c.importId}`, c.token)],
  [1, "none", (c) => get("listImports", "/api/imports", c.token)],
  [2, "none", (c) => get("spending", "/api/spending?month=2025-03", c.token)],
  [1, "none", (c) => get("listNotifications", "/api/notifications", c.token)],
  [1, "none", () => get("clientConfig", "/api/client-config")],
  [1, "none", () => get("health", "/healthz")],
  [1, "none", () => get("openapi", "/api/openapi.json")],
  [4, "json", (c) => json("worker", "task:categorise", "POST", "/tasks/categorise", { user_id: c.userId, transaction_id: c.transactionId })],
  [3, "json", (c) => json("worker", "task:import", "POST", "/tasks/import", { user_id: c.userId, import_id: c.importId })],
  [6, "json", (c, n) => json("worker", "task:notify", "POST", "/tasks/notify", { user_id: c.userId, key: `fuzz-${n}`, kind: "fuzz", data: { amount: "1.00", nested: { list: [1, "two"] } } })],
];

// ---------------------------------------------------------------- building blocks

const NASTY_STRINGS = [
  "\u0000",
  "a\u0000b",
  "x\ud800y", // lone high surrogate
  "\udc00", // lone low surrogate
  "\udc00\ud800", // reversed pair
  "😀",
  "\u0007\u001b[31m",
  "\u202e\u2066RTL",
  "\ufeffBOM",
  "\uffff\ufffe",
  "\u00a0\u2028\u2029",
  "   ",
  "",
  "%00",
  "\\u0000",
  "' OR '1'='1",
  "<script>alert(1)</script>",
  "${jndi:ldap://x}",
  "../../etc/passwd",
  "9".repeat(400),
  "é".repeat(3000),
];
const NASTY_NUMBERS = [0, -0, 1e308, -1e308, 5e-324, 1.005, 0.1 + 0.2, Number.MAX_SAFE_INTEGER + 2, -1];
const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "__defineGetter__", "valueOf"];
const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xc3], // truncated sequence
  [0xed, 0xa0, 0x80], // CESU-8 surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xe0, 0x80, 0xaf], // overlong slash
  [0x80, 0x80],
  [0xfe, 0xfe, 0xff, 0xff],
];
const ODD_CONTENT_TYPES = [
  undefined,
  "",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "APPLICATION/JSON",
  "application/json ; charset=\"utf-8\"",
  "application/json;;;",
  "application/merge-patch+json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "text/csv",
  "text/plain",
  "text/html",
  "*/*",
  "application",
  "/",
  "application/json; boundary=" + "b".repeat(2000),
  "image/png",
  "application/xml",
];
const BAD_PERCENT = ["%", "%Z", "%ZZ", "%E0%A4%A", "%00", "%C0%80", "%ED%A0%80", "%FF", "%25%", "%u0041", "%%32%65"];
const METHODS = ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "SEARCH", "QUERY", "MKCOL", "LINK", "get", "Get", "G\u0000T", "GE T", "POSTX", "CONNECT", "PRI", "ACL", "M-SEARCH"];

/** Every place in a JSON value a mutation can land: each key and element, nested ones too. */
function jsonPaths(value: unknown, prefix: PropertyKey[] = []): PropertyKey[][] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...jsonPaths(child, path)];
  });
}

/** `value` with the `pick`-th of its paths (modulo their number) set to `replacement`. */
function setAtPath(value: unknown, pick: number, replacement: unknown): unknown {
  const paths = jsonPaths(value);
  if (paths.length === 0) return replacement;
  const path = paths[pick % paths.length]!;
  const copy = structuredClone(value) as Record<PropertyKey, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<PropertyKey, unknown>;
  parent[path.at(-1)!] = replacement;
  return copy;
}

const bodyText = (request: FuzzRequest): Buffer => request.body ?? (request.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(request.json), "utf8"));

function withBody(request: FuzzRequest, body: Buffer): FuzzRequest {
  return { ...request, json: undefined, body };
}

function setHeader(request: FuzzRequest, name: string, value: string | Buffer | undefined): FuzzRequest {
  const headers = request.headers.filter(([existing]) => existing.toLowerCase() !== name.toLowerCase());
  if (value !== undefined) headers.push([name, value]);
  return { ...request, headers };
}

function splitUrl(url: string): [string, string] {
  const question = url.indexOf("?");
  return question < 0 ? [url, ""] : [url.slice(0, question), url.slice(question + 1)];
}

/** JSON text with `"__RAW__"` swapped for arbitrary bytes (which JSON.stringify could never write). */
function jsonWithRawBytes(request: FuzzRequest, pick: number, bytes: Buffer): FuzzRequest {
  const text = JSON.stringify(setAtPath(request.json ?? {}, pick, "__RAW__"));
  const [before = "", after = ""] = text.split("__RAW__");
  return withBody(request, Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]));
}

/** RFC 4180 quoting, so a value lands in one cell whatever it holds. */
const csvQuote = (value: string) => `"${value.replaceAll('"', '""')}"`;

/** The statement with the `pick`-th cell (header names included) replaced by `value`. */
function csvWithCell(csv: string, pick: number, value: string): string {
  const rows = csv.split("\n").map((row) => (row ? row.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/) : []));
  const cells = rows.flatMap((row, r) => row.map((_cell, c) => [r, c] as const));
  if (cells.length === 0) return csv;
  const [r, c] = cells[pick % cells.length]!;
  rows[r]![c] = value === "__RAW__" ? value : csvQuote(value);
  return rows.map((row) => row.join(",")).join("\n");
}

function csvShape(csv: string, shape: string): string {
  const [header = "", first = ""] = csv.split("\n");
  switch (shape) {
    case "unbalanced quote":
      return `${header}\n2025-01-31,"Coffee,-3.20\n`;
    case "CR line ends":
      return csv.replaceAll("\n", "\r");
    case "20,001 rows":
      return `${header}\n${`${first}\n`.repeat(20_001)}`;
    case "1,000 columns":
      return `${header}${",x".repeat(1_000)}\n${first}${",1".repeat(1_000)}\n`;
    case "empty":
      return "";
    case "header only":
      return `${header}\n`;
    case "duplicate header":
      return `${header},date\n${first},2025-01-01\n`;
    case "semicolons":
      return csv.replaceAll(",", ";");
    case "100 KB cell":
      return `${header}\n2025-01-31,${"x".repeat(100_000)},-1\n`;
    default:
      return `${header}\n\u0000\n${first}\n`;
  }
}

/** Percent-encodes the UTF-8 of a string (lone surrogates become U+FFFD, as any encoder does). */
const percentEncode = (value: string) => [...Buffer.from(value, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0").toUpperCase()}`).join("");

// ---------------------------------------------------------------- mutations

const label = <T>(name: string, arbitrary: fc.Arbitrary<T>, apply: (value: T) => Mutation) =>
  arbitrary.map((value) => ({ name, apply: apply(value) }));

/** Mostly the hand-picked troublemakers; otherwise any code points (lone surrogates included) or graphemes. */
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
);

/** Mutations that reach into a JSON body. */
const JSON_MUTATIONS = [
  { weight: 8, arbitrary: label("json: nasty string in a field", fc.tuple(fc.nat(), anyString), ([pick, value]) => (r) => r.json === undefined ? r : { ...r, json: setAtPath(r.json, pick, value) }) },
  { weight: 2, arbitrary: label("json: nasty number in a field", fc.tuple(fc.nat(), fc.constantFrom(...NASTY_NUMBERS)), ([pick, value]) => (r) => r.json === undefined ? r : { ...r, json: setAtPath(r.json, pick, value) }) },
  { weight: 3, arbitrary: label("json: any JSON value in a field", fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 3 })), ([pick, value]) => (r) => r.json === undefined ? r : { ...r, json: setAtPath(r.json, pick, value) }) },
  { weight: 2, arbitrary: label("json: field removed", fc.nat(), (pick) => (r) => {
    if (r.json === null || typeof r.json !== "object") return r;
    const copy = { ...(r.json as Record<string, unknown>) };
    delete copy[Object.keys(copy)[pick % Math.max(1, Object.keys(copy).length)] ?? ""];
    return { ...r, json: copy };
  }) },
  { weight: 2, arbitrary: label("json: the body is another JSON value", fc.jsonValue({ maxDepth: 2 }), (value) => (r) => ({ ...r, json: value, body: undefined })) },
  { weight: 3, arbitrary: label("json: prototype key", fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 }), fc.boolean()), ([key, value, nested]) => (r) => {
    const text = bodyText(r).toString("utf8");
    if (!text.startsWith("{")) return r;
    const inner = nested ? `{"${key}":{"polluted":true}}` : JSON.stringify(value);
    return withBody(r, Buffer.from(`{"${key}":${inner},${text.slice(1)}`));
  }) },
  { weight: 3, arbitrary: label("json: duplicate key", fc.tuple(fc.nat(), anyString), ([pick, value]) => (r) => {
    const text = bodyText(r).toString("utf8");
    if (!text.startsWith("{") || r.json === null || typeof r.json !== "object") return r;
    const keys = Object.keys(r.json as object);
    const key = keys[pick % Math.max(1, keys.length)] ?? "x";
    return withBody(r, Buffer.from(`${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value)}}`));
  }) },
  { weight: 3, arbitrary: label("json: deep nesting", fc.tuple(fc.integer({ min: 50, max: 60_000 }), fc.nat(), fc.boolean()), ([depth, pick, inField]) => (r) => {
    const deep = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    if (!inField || r.json === undefined) return withBody(r, Buffer.from(deep));
    const text = JSON.stringify(setAtPath(r.json, pick, "__DEEP__"));
    return withBody(r, Buffer.from(text.replace('"__DEEP__"', deep)));
  }) },
  { weight: 3, arbitrary: label("bytes: invalid UTF-8 inside a string", fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), ([pick, bytes]) => (r) =>
    r.json === undefined ? withBody(r, Buffer.concat([bodyText(r), Buffer.from(bytes)])) : jsonWithRawBytes(r, pick, Buffer.from(bytes)),
  ) },
  { weight: 3, arbitrary: label("bytes: raw control bytes inside a string", fc.tuple(fc.nat(), fc.uint8Array({ min: 0, max: 31, minLength: 1, maxLength: 4 })), ([pick, bytes]) => (r) =>
    r.json === undefined ? withBody(r, Buffer.concat([Buffer.from(bytes), bodyText(r)])) : jsonWithRawBytes(r, pick, Buffer.from(bytes)),
  ) },
];

/** CSV statements: cells, header names and the file's shape. */
const CSV_MUTATIONS = [
  {
    weight: 8,
    arbitrary: label("csv: nasty text in a cell", fc.tuple(fc.nat(), anyString), ([pick, value]) => (r) => withBody(r, Buffer.from(csvWithCell(bodyText(r).toString("utf8"), pick, value)))),
  },
  {
    weight: 3,
    arbitrary: label("csv: invalid UTF-8 in a cell", fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), ([pick, bytes]) => (r) => {
      const [before = "", after = ""] = csvWithCell(bodyText(r).toString("utf8"), pick, "__RAW__").split("__RAW__");
      return withBody(r, Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]));
    }),
  },
  {
    weight: 4,
    arbitrary: label("csv: an extra column", fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, "no\u0000te", "date", ""), anyString), anyString), ([name, value]) => (r) => {
      const [header = "", ...rows] = bodyText(r).toString("utf8").split("\n");
      return withBody(r, Buffer.from([`${header},${csvQuote(name)}`, ...rows.map((row) => (row ? `${row},${csvQuote(value)}` : row))].join("\n")));
    }),
  },
  {
    weight: 4,
    arbitrary: label(
      "csv: odd shape",
      fc.constantFrom("unbalanced quote", "CR line ends", "20,001 rows", "1,000 columns", "empty", "header only", "duplicate header", "semicolons", "100 KB cell", "NUL line"),
      (shape) => (r) => withBody(r, Buffer.from(csvShape(bodyText(r).toString("utf8"), shape))),
    ),
  },
];

/** Query strings of GET routes. */
const QUERY_MUTATIONS = [
  {
    weight: 6,
    arbitrary: label("query: nasty value", fc.tuple(fc.constantFrom("account_id", "category_id", "from", "to", "page", "per_page"), anyString), ([name, value]) => (r) => {
      const [path, query] = splitUrl(r.url);
      const kept = query.split("&").filter((pair) => pair && !pair.startsWith(`${name}=`));
      return { ...r, url: `${path}?${[...kept, `${name}=${percentEncode(value)}`].join("&")}` };
    }),
  },
  { weight: 4, arbitrary: label(
    "url: odd query",
    fc.constantFrom("__proto__=x", "__proto__[admin]=1", "constructor[prototype][admin]=1", "toString=1", "a[]=1&a[]=2", "page=1&page=2", "account_id=", "per_page=999999999999", "page=-0", "page=1e3", "from=2025-02-30", "=&=", "&&&", "a=%00", ";a=1", "q=" + "x".repeat(7_000)),
    (extra) => (r) => {
      const [path, query] = splitUrl(r.url);
      return { ...r, url: `${path}?${query ? `${query}&` : ""}${extra}` };
    },
  ) },
  { weight: 3, arbitrary: label("url: bad percent-encoding in the query", fc.tuple(fc.constantFrom(...BAD_PERCENT), fc.boolean()), ([escape, asKey]) => (r) => {
    const [path, query] = splitUrl(r.url);
    return { ...r, url: `${path}?${query ? `${query}&` : ""}${asKey ? `${escape}=1` : `page=${escape}`}` };
  }) },
];

/** Mutations of the request line, headers and framing, for every route. */
const GENERIC_MUTATIONS = [
  { weight: 2, arbitrary: label("none", fc.constant(null), () => (request) => request) },
  { weight: 1, arbitrary: label("bytes: one byte replaced", fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), ([at, byte]) => (r) => {
    const body = Buffer.from(bodyText(r));
    if (body.length > 0) body[at % body.length] = byte;
    return withBody(r, body);
  }) },
  { weight: 1, arbitrary: label("bytes: truncated", fc.nat(), (at) => (r) => {
    const body = bodyText(r);
    return withBody(r, body.subarray(0, body.length === 0 ? 0 : at % body.length));
  }) },
  { weight: 1, arbitrary: label("bytes: trailing garbage", fc.uint8Array({ minLength: 1, maxLength: 32 }), (garbage) => (r) => withBody(r, Buffer.concat([bodyText(r), Buffer.from(garbage)]))) },
  { weight: 1, arbitrary: label("encoding: UTF-16LE with BOM", fc.constant(null), () => (r) => withBody(r, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bodyText(r).toString("utf8"), "utf16le")]))) },
  { weight: 1, arbitrary: label("encoding: UTF-8 BOM", fc.constant(null), () => (r) => withBody(r, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bodyText(r)]))) },
  { weight: 1, arbitrary: label("content-type: odd", fc.constantFrom(...ODD_CONTENT_TYPES), (type) => (r) => setHeader(r, "Content-Type", type)) },
  { weight: 1, arbitrary: label("body: huge", fc.constantFrom(17 * 1024, 200 * 1024, 1_100_000, 3_000_000), (size) => (r) => {
    const text = bodyText(r).toString("utf8");
    const pad = "x".repeat(size);
    return withBody(r, Buffer.from(text.startsWith("{") ? `{"pad":"${pad}",${text.slice(1)}` : `${text}${pad}`));
  }) },
  { weight: 1, arbitrary: label("body: on a GET", fc.constantFrom('{"a":1}', "x".repeat(20_000)), (body) => (r) => setHeader(withBody(r, Buffer.from(body)), "Content-Type", "application/json")) },
  { weight: 1, arbitrary: label("headers: huge value", fc.constantFrom(4_000, 15_000, 17_000, 70_000), (size) => (r) => setHeader(r, "X-Fuzz", "v".repeat(size))) },
  { weight: 1, arbitrary: label("headers: many", fc.integer({ min: 50, max: 3_000 }), (count) => (r) => ({ ...r, headers: [...r.headers, ...Array.from({ length: count }, (_, i) => [`X-Fuzz-${i}`, "1"] as [string, string])] })) },
  { weight: 1, arbitrary: label(
    "headers: odd authorization",
    fc.constantFrom("", "Bearer", "Bearer ", "bearer vz_x", `Bearer ${"A".repeat(10_000)}`, "Bearer \u00ff\u00fe", "Basic Og==", "Bearer a b", "Bearer vz_\u0000", "Bearer ${jndi}", "Negotiate YII"),
    (value) => (r) => setHeader(r, "Authorization", Buffer.from(value, "latin1")),
  ) },
  { weight: 1, arbitrary: label("headers: duplicate authorization", fc.constant(null), () => (r) => ({ ...r, headers: [...r.headers, ["Authorization", "Bearer vz_other"]] })) },
  { weight: 1, arbitrary: label(
    "headers: odd Idempotency-Key",
    fc.constantFrom("", " ", "k".repeat(256), "k".repeat(5_000), "ключ", "a\tb", "\u00ff", "a,b", "null"),
    (value) => (r) => setHeader(r, "Idempotency-Key", Buffer.from(value, "latin1")),
  ) },
  { weight: 1, arbitrary: label(
    "headers: trace and proxy headers",
    fc.tuple(fc.constantFrom("X-Cloud-Trace-Context", "traceparent", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded"), fc.constantFrom("", "garbage", "0".repeat(32) + "/" + "9".repeat(40) + ";o=9", "ff-" + "z".repeat(32) + "-" + "0".repeat(16) + "-01", "::1, 999.1.1.1, , unknown", "https, http", "a".repeat(8_000))),
    ([name, value]) => (r) => setHeader(r, name, value),
  ) },
  { weight: 1, arbitrary: label(
    "headers: content-length",
    fc.constantFrom("-1", "abc", "1e3", "99999999999999999999", "0", " 5", "5, 5", "+3", "0x10"),
    (value) => (r) => ({ ...setHeader(r, "Content-Length", value), autoLength: false }),
  ) },
  { weight: 1, arbitrary: label("headers: content-length smaller than the body", fc.nat({ max: 20 }), (cut) => (r) => {
    const length = Math.max(0, bodyText(r).length - 1 - cut);
    return { ...setHeader(withBody(r, bodyText(r)), "Content-Length", String(length)), autoLength: false };
  }) },
  { weight: 1, arbitrary: label(
    "headers: transfer-encoding",
    fc.constantFrom("chunked-bad-size", "chunked-with-length", "gzip", "chunked, identity", "identity", "chunked-no-end"),
    (kind) => (r) => {
      const body = bodyText(r);
      if (kind === "chunked-bad-size") return { ...setHeader(withBody(r, Buffer.concat([Buffer.from("zz\r\n"), body, Buffer.from("\r\n0\r\n\r\n")])), "Transfer-Encoding", "chunked"), autoLength: false };
      if (kind === "chunked-no-end") {
        const unfinished = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n0\r\n")]);
        return { ...setHeader(withBody(r, unfinished), "Transfer-Encoding", "chunked"), autoLength: false, incomplete: true };
      }
      if (kind === "chunked-with-length") {
        const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n0\r\n\r\n")]);
        return { ...setHeader(setHeader(withBody(r, chunked), "Transfer-Encoding", "chunked"), "Content-Length", String(chunked.length)), autoLength: false };
      }
      return setHeader(r, "Transfer-Encoding", kind);
    },
  ) },
  { weight: 1, arbitrary: label("headers: content-encoding", fc.constantFrom("gzip", "br", "deflate", "x-unknown"), (value) => (r) => setHeader(r, "Content-Encoding", value)) },
  { weight: 1, arbitrary: label("headers: expect", fc.constantFrom("100-continue", "200-ok", "", "100-continue, foo"), (value) => (r) => setHeader(r, "Expect", value)) },
  { weight: 1, arbitrary: label(
    "headers: malformed line",
    fc.constantFrom("Bad Name: x", "Name\u0000: x", "X-Fold: a\r\n b", "X-Val: a\u0000b", ": empty", "X-Only-Name", "X-CR: a\rb", "Héader: x"),
    (line) => (r) => ({ ...r, headers: [...r.headers, ["", line]] }),
  ) },
  { weight: 1, arbitrary: label("headers: host", fc.constantFrom(undefined, "", "a".repeat(300), "127.0.0.1:99999", "[::1", "exa mple"), (host) => (r) => setHeader(r, "Host", host)) },
  { weight: 1, arbitrary: label("url: bad percent-encoding in the path", fc.tuple(fc.constantFrom(...BAD_PERCENT), fc.nat()), ([escape, at]) => (r) => {
    const [path, query] = splitUrl(r.url);
    const cut = 1 + (at % Math.max(1, path.length - 1));
    return { ...r, url: `${path.slice(0, cut)}${escape}${path.slice(cut)}${query ? `?${query}` : ""}` };
  }) },
  { weight: 1, arbitrary: label(
    "url: odd path",
    fc.constantFrom("/../", "//", "/./", "/%2e%2e/", "/%2F", "/\u00e9", "/?", "/#frag", "/;x=1", "/" + "a".repeat(150), "/" + "a".repeat(9_000)),
    (piece) => (r) => {
      const [path, query] = splitUrl(r.url);
      return { ...r, url: `${path}${piece}${query ? `?${query}` : ""}` };
    },
  ) },
  { weight: 1, arbitrary: label("url: raw bytes in the path", fc.constantFrom(...INVALID_UTF8, [0x20], [0x7f], [0x00]), (bytes) => (r) => ({ ...r, url: `${splitUrl(r.url)[0]}${Buffer.from(bytes).toString("latin1")}` })) },
  { weight: 1, arbitrary: label("method: unusual", fc.constantFrom(...METHODS), (method) => (r) => ({ ...r, method })) },
  { weight: 1, arbitrary: label(
    "protocol: request line",
    fc.constantFrom("HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/9.9", "http/1.1", "HTTP/1.1 extra", "", "HTTP/1.1\u0000"),
    (version) => (r) => ({ ...r, version }),
  ) },
  { weight: 1, arbitrary: label("protocol: absolute or asterisk form", fc.constantFrom("absolute", "asterisk", "authority"), (form) => (r) => ({
    ...r,
    url: form === "absolute" ? `http://127.0.0.1${r.url}` : form === "asterisk" ? "*" : "127.0.0.1:80",
  })) },
  { weight: 1, arbitrary: label("protocol: bare LF line endings", fc.constant(null), () => (r) => ({ ...r, lineEnd: "\n" })) },
];

const MUTATIONS_FOR: Readonly<Record<BodyKind, fc.Arbitrary<{ name: string; apply: Mutation }>>> = {
  json: fc.oneof(...JSON_MUTATIONS, ...GENERIC_MUTATIONS),
  csv: fc.oneof(...CSV_MUTATIONS, ...GENERIC_MUTATIONS),
  none: fc.oneof(...QUERY_MUTATIONS, ...GENERIC_MUTATIONS),
};

/** The bytes on the wire. */
export function serialize(request: FuzzRequest): Buffer {
  const body = bodyText(request);
  const headers = [...request.headers];
  const hasLength = headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  if (request.autoLength && !hasLength && (body.length > 0 || request.method === "POST")) headers.push(["Content-Length", String(body.length)]);
  const lines: Buffer[] = [Buffer.from(`${request.method} ${request.url}${request.version ? ` ${request.version}` : ""}`, "latin1")];
  for (const [name, value] of headers) {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, "latin1");
    lines.push(name === "" ? bytes : Buffer.concat([Buffer.from(`${name}: `, "latin1"), bytes]));
  }
  const eol = Buffer.from(request.lineEnd);
  const parts: Buffer[] = [];
  for (const line of lines) parts.push(line, eol);
  parts.push(eol, body);
  return Buffer.concat(parts);
}

/**
 * `count` cases drawn from `seed`: a route by its weight, then a mutation for that route's body
 * kind (about half reach into the body or query, half bend the request line, headers or framing).
 * The same seed gives the same cases, byte for byte.
 */
export function fuzzCases(context: FuzzContext, seed: number, count: number): FuzzCase[] {
  const drawn = fc.sample(
    fc.oneof(...CORPUS.map(([weight, kind, make]) => ({ weight, arbitrary: MUTATIONS_FOR[kind].map((mutation) => [make, mutation] as const) }))),
    { seed, numRuns: count },
  );
  return drawn.map(([make, mutation], index) => {
    const request = mutation.apply(make(context, index));
    return { index, target: request.target, route: request.route, mutation: mutation.name, bytes: serialize(request), incomplete: request.incomplete === true };
  });
}
