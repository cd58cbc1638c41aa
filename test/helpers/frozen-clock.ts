/**
 * A wall clock that stands still until a test moves it, for time-boundary tests over real HTTP.
 *
 * Only `Date` is faked: timers, ticks, microtasks and `performance` stay real, so sockets, keep-alive and the
 * compatible server run as usual while every `Date.now()` (the decision caches, JWT expiry checks, the
 * compatible server's token timestamps) reads this clock. Freeze it before the app and servers are created:
 * the strategies capture `Date.now` when they are built.
 */
export interface FrozenClock {
  /** The frozen time, epoch ms. */
  now(): number;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  /** Sets the clock to `epochMs`. */
  set(epochMs: number): void;
  /** Gives `Date` back its real clock. */
  restore(): void;
}

/** Noon UTC of today: far from a date change, so tests that advance a few minutes never cross midnight. */
export function middayToday(): number {
  const day = 86_400_000;
  return Math.floor(Date.now() / day) * day + day / 2;
}

/** Freezes `Date` at `start` (default: noon UTC today). */
export function freezeClock(start: number = middayToday()): FrozenClock {
  jest.useFakeTimers({
    now: start,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
      jest.setSystemTime(t);
    },
    set(epochMs) {
      t = epochMs;
      jest.setSystemTime(t);
    },
    restore: () => jest.useRealTimers(),
  };
}
