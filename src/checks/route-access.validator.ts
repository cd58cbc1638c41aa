import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { findContradictions } from './route-access';

/** Start-up error for decorators that contradict each other; the message names every offending class and method. */
export class TinyauthMetadataError extends Error {
  constructor(readonly places: readonly string[]) {
    super(
      `@Public() and @RequireAction() on the same target: ${places.join(', ')}. Remove one of them: ` +
        '@Public() on a handler already opens it inside a controller that requires an action.',
    );
    this.name = 'TinyauthMetadataError';
  }
}

/**
 * Scans every controller and provider class at start-up (`onModuleInit`) and refuses to start when a class or a
 * handler carries both `@Public()` and `@RequireAction()`. The guard never opens such a route anyway (see
 * `resolveRouteAccess`); this makes the mistake visible before the first request.
 */
@Injectable()
export class RouteAccessValidator implements OnModuleInit {
  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const classes = new Set<object>();
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      // Factory and value providers have no class of their own to scan.
      if (typeof wrapper.metatype === 'function' && !wrapper.inject) classes.add(wrapper.metatype);
    }
    const places = new Set<string>();
    for (const cls of classes) for (const place of findContradictions(cls)) places.add(place);
    if (places.size > 0) throw new TinyauthMetadataError([...places]);
  }
}
