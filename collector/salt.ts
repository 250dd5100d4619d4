import { randomBytes } from 'node:crypto';

/**
 * The daily visitor-key salt: 32 random bytes, made in memory for each UTC day and never
 * written anywhere. Yesterday's keys cannot be recomputed once the day has turned, so a
 * visitor cannot be followed across days, not even by us.
 */
export class DailySalt {
  private day = -1;
  private salt: Buffer = Buffer.alloc(0);

  constructor(private readonly now: () => number = Date.now) {}

  current(): Buffer {
    const day = Math.floor(this.now() / 86_400_000);
    if (day !== this.day) {
      this.salt = randomBytes(32);
      this.day = day;
    }
    return this.salt;
  }
}
