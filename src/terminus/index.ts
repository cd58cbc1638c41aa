// The `nestjs-tinyauth/terminus` entry: the health indicator for @nestjs/terminus (an optional peer), apart from
// the main entry so that applications without Terminus never load it, nor type-check against its declarations.
export { TinyauthHealthIndicator } from './tinyauth.health';
export type { TinyauthHealthDetails, TinyauthHealthOptions, TinyauthCacheState } from './tinyauth.health';
