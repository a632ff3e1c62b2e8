import type { CategoryRepository, RuleRepository } from "../../../domain/ports";
import { CATEGORY_COLUMNS, type Queryable, toCategory } from "./rows";

export const categoryRepository = (db: Queryable): CategoryRepository => ({
  async insertMany(userId, names) {
    const { rows } = await db.query(
      `INSERT INTO categories (user_id, name) SELECT $1, name FROM unnest($2::text[]) AS name RETURNING ${CATEGORY_COLUMNS}`,
      [userId, names],
    );
    return rows.map(toCategory);
  },
  async list(userId) {
    const { rows } = await db.query(`SELECT ${CATEGORY_COLUMNS} FROM categories WHERE user_id = $1 ORDER BY name`, [userId]);
    return rows.map(toCategory);
  },
  async find(userId, categoryId) {
    const { rows } = await db.query({
      name: "categories_find",
      text: `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE id = $1 AND user_id = $2`,
      values: [categoryId, userId],
    });
    return rows[0] ? toCategory(rows[0]) : undefined;
  },
});

export const ruleRepository = (db: Queryable): RuleRepository => ({
  async insertMany(userId, rules) {
    await db.query(
      `INSERT INTO categorisation_rules (user_id, pattern, category_id, priority)
       SELECT $1, r.pattern, r.category_id, r.priority FROM unnest($2::text[], $3::uuid[], $4::int[]) AS r(pattern, category_id, priority)`,
      [userId, rules.map((r) => r.pattern), rules.map((r) => r.categoryId), rules.map((r) => r.priority)],
    );
  },
  async list(userId) {
    const { rows } = await db.query({
      name: "rules_list",
      text: `SELECT r.pattern, r.category_id, r.priority, c.name AS category_name
             FROM categorisation_rules r JOIN categories c ON c.id = r.category_id
             WHERE r.user_id = $1`,
      values: [userId],
    });
    return rows.map((row) => ({
      pattern: row.pattern as string,
      categoryId: row.category_id as string,
      priority: row.priority as number,
      categoryName: row.category_name as string,
    }));
  },
});
