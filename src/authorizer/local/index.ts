export { LocalAuthorizer, type LocalAuthorizerOptions } from './local.authorizer';
