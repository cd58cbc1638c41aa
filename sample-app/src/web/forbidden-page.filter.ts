import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NotPermitted } from 'nestjs-tinyauth';
import { escapeHtml, PAGE_HEADERS, renderPage } from './html';

/**
 * A browser that is signed in but not allowed gets a page, not JSON. Catching `NotPermitted` alone is how to
 * customise one outcome: 401 and 503 keep their standard bodies, and an anonymous visitor is still redirected to
 * sign in by the module's own filter.
 */
@Catch(NotPermitted)
export class ForbiddenPageFilter implements ExceptionFilter<NotPermitted> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: NotPermitted, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(PAGE_HEADERS)) adapter.setHeader(response, name, value);
    adapter.reply(response, renderForbiddenPage(Object.keys(exception.decision.notPermitted)), 403);
  }
}

function renderForbiddenPage(actions: readonly string[]): string {
  const needed = actions.map((a) => `<code>apples:${escapeHtml(a)}</code>`).join(', ') || 'a permission';
  return renderPage(
    'Not allowed',
    `<header class="bar"><span class="brand">Apples</span></header>
<main class="page">
<h1>Not allowed</h1>
<p class="lead">You are signed in, but tinyauth does not grant you ${needed}.</p>
<p><a class="signout" href="/logout">Sign out</a> and sign in as someone who may.</p>
</main>`,
  );
}
