export { LocalAuthorizer, type LocalAuthorizerOptions, type LocalCacheSnapshot } from './local.authorizer';
