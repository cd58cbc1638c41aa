/**
 * Fakes `Date` only (timers, ticks and `performance` stay real), frozen at the current time, so that time-based
 * lifetimes (local mode's signing keys and its memo of verified credentials) move only when a test says so.
 * Everything that reads `Date.now` when it is built (the authorizers' clocks) must be built after this.
 */
export function fakeDateOnly(): { advance(ms: number): void; restore(): void } {
  jest.useFakeTimers({
    now: Date.now(),
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
  return {
    advance: (ms) => jest.setSystemTime(Date.now() + ms),
    restore: () => jest.useRealTimers(),
  };
}
