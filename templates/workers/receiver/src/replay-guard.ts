import { DurableObject } from 'cloudflare:workers';

/**
 * One claim on a name until a time: the first claim wins, every later one is refused until the time has passed.
 * One object per name (`idFromName`): claims of different names never wait on each other, and a Durable Object
 * runs one request at a time, so of two concurrent claims of one name exactly one wins. The row lives in the
 * object's SQLite storage; an alarm deletes it when the time is over.
 *
 * Two kinds of names, kept apart by their prefix: `webhook/<webhook-id>` until the signature window has passed, so
 * that a captured request cannot be replayed, and `api-key-slot/<userId>/<n>` until the API key holding that slot
 * expires, so that a user holds at most `apiKeys.maxPerUser` keys however many requests race.
 *
 * @example
 * const fresh = await env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(`webhook/${id}`)).claim(expiresAtMs);
 * if (!fresh) throw new ApiError(409, 'replay', 'Request already received');
 */
export class ReplayGuard extends DurableObject<object> {
  /** True the first time, false for every later claim while the id is remembered. */
  async claim(expiresAtMs: number): Promise<boolean> {
    const sql = this.table();
    const seen = sql.exec<{ expires_at: number }>('SELECT expires_at FROM seen').toArray()[0];
    if (seen && seen.expires_at > Date.now()) return false;
    sql.exec('INSERT OR REPLACE INTO seen (id, expires_at) VALUES (1, ?)', expiresAtMs);
    await this.ctx.storage.setAlarm(expiresAtMs);
    return true;
  }

  /**
   * Undoes the claim made with the same `expiresAtMs`. The receiver calls it only when it failed before
   * dispatching anything (the auth shim's keys were unreachable, say), so that the sender's retry with the
   * same id is not refused as a replay.
   */
  async release(expiresAtMs: number): Promise<void> {
    this.table().exec('DELETE FROM seen WHERE expires_at = ?', expiresAtMs);
  }

  async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  private table(): SqlStorage {
    const sql = this.ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS seen (id INTEGER PRIMARY KEY CHECK (id = 1), expires_at INTEGER NOT NULL)');
    return sql;
  }
}
