/**
 * `npm run openapi`: writes the api's OpenAPI 3.1 description (generated from
 * app/adapters/http/api-contract.ts) to docs/openapi.json. The app's openapi.test.ts fails while the
 * committed file differs from what the code generates.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OPENAPI_FILE, openApiJson } from "../app/adapters/http/openapi";

const target = join(__dirname, "..", OPENAPI_FILE);
writeFileSync(target, openApiJson());
console.log(`wrote ${target}`);
