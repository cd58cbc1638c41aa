export { TtlLruCache, type CacheHit } from './ttl-lru';
export { Coalescer } from './coalescer';
export { stableJson } from './stable-json';
