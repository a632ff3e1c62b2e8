import { notFound } from "../errors";
import type { Database } from "../ports";
import { importView } from "../read-models";

/** Not cached: clients poll it while the worker moves the import along. */
export async function getImport(deps: { readonly db: Database }, userId: string, importId: string) {
  const found = await deps.db.repos.imports.find(userId, importId);
  if (!found) throw notFound("Import", "id");
  return importView(found);
}
