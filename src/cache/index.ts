export { ExpiringLru } from './expiring-lru';
export { joinInFlight } from './in-flight';
export { stableJson } from './stable-json';
