/**
 * The app side of the per-variant usage figures: answers the bench's `usage` message over the IPC channel with this
 * process's CPU time (process.cpuUsage(), user + system, in µs), its resident set now and its peak (bytes). Over IPC
 * rather than an HTTP route so that asking never counts as a served request.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

export interface Usage {
  cpuMicros: number;
  rssBytes: number;
  maxRssBytes: number;
}

export function currentUsage(): Usage {
  const cpu = process.cpuUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    rssBytes: process.memoryUsage.rss(),
    // resourceUsage() reports the peak in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** Answers `{ type: 'usage' }` with `{ type: 'usage', usage }` while the process has an IPC channel. */
export function answerUsageRequests(): void {
  process.on('message', (message: { type?: unknown }) => {
    if (message?.type === 'usage') process.send?.({ type: 'usage', usage: currentUsage() });
  });
}

/**
 * Answers `{ type: 'profile', action: 'start' | 'stop', file }`: runs V8's CPU profiler (what `node --cpu-prof`
 * records) over exactly the window the bench asks for, and on `stop` writes the profile to `file`, then replies
 * `{ type: 'profile', done: true }`. Start-up (TypeScript compiling, Nest wiring) thus stays out of the profile.
 */
export function answerProfileRequests(): void {
  let session: Session | undefined;
  process.on('message', (message: { type?: unknown; action?: unknown; file?: unknown }) => {
    if (message?.type !== 'profile') return;
    const reply = (): void => void process.send?.({ type: 'profile', done: true });
    if (message.action === 'start') {
      session ??= new Session();
      session.connect();
      session.post('Profiler.enable', () =>
        session!.post('Profiler.setSamplingInterval', { interval: 100 }, () =>
          session!.post('Profiler.start', reply),
        ),
      );
    } else if (message.action === 'stop' && session !== undefined && typeof message.file === 'string') {
      const file = message.file;
      const running = session;
      running.post('Profiler.stop', (err, result) => {
        if (!err) writeFileSync(file, JSON.stringify(result.profile));
        running.disconnect();
        reply();
      });
    }
  });
}
