import type { UserRepository } from "../../../domain/ports";
import { type Queryable, toUser, USER_COLUMNS } from "./rows";

export const userRepository = (db: Queryable): UserRepository => ({
  async insert(user) {
    const { rows } = await db.query(
      `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [user.email, user.name, user.passwordHash],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  },
  async findCredentials(email) {
    const { rows } = await db.query(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = $1`, [email]);
    return rows[0] ? { user: toUser(rows[0]), passwordHash: rows[0].password_hash as string } : undefined;
  },
});
