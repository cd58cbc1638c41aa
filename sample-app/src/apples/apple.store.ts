import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';

/** An apple, as the API returns it. */
export interface Apple {
  name: string;
  color: string;
  /** Grams. */
  weight: number;
}

/** The apples every fresh start begins with. */
const SEED: readonly Apple[] = [
  { name: 'granny-smith', color: 'green', weight: 180 },
  { name: 'braeburn', color: 'red', weight: 160 },
  { name: 'golden-delicious', color: 'yellow', weight: 170 },
];

/**
 * The sample's only data: an in-memory map, lost on restart. It knows nothing about authorization; the guard
 * has already decided by the time a controller calls it.
 */
@Injectable()
export class AppleStore {
  private readonly apples = new Map<string, Apple>(SEED.map((a) => [a.name, { ...a }]));

  list(): Apple[] {
    return [...this.apples.values()].map((a) => ({ ...a }));
  }

  get(name: string): Apple {
    const apple = this.apples.get(name);
    if (!apple) throw new NotFoundException(`No apple named "${name}"`);
    return { ...apple };
  }

  create(apple: Apple): Apple {
    if (this.apples.has(apple.name))
      throw new ConflictException(`An apple named "${apple.name}" already exists`);
    this.apples.set(apple.name, { ...apple });
    return { ...apple };
  }

  delete(name: string): void {
    if (!this.apples.delete(name)) throw new NotFoundException(`No apple named "${name}"`);
  }
}
