import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TinyauthModuleExtras } from '../options/tinyauth-options.interface';
import type { TinyauthModuleOptions } from './tinyauth-module-options';
import { TINYAUTH_LOGIN_PATH } from '../tinyauth.constants';
import { createLoginController } from '../login/login.controller';

/** `/login` unless the `login` extra names another path; always one leading slash and no trailing one. */
export function loginPathOf(login: TinyauthModuleExtras['login']): string {
  const raw = typeof login === 'object' && login.path ? login.path : '/login';
  return `/${raw.replace(/^\/+|\/+$/g, '')}`;
}

export const {
  ConfigurableModuleClass: TinyauthConfigurableModule,
  MODULE_OPTIONS_TOKEN: TINYAUTH_RAW_OPTIONS,
  OPTIONS_TYPE: TINYAUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TINYAUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TinyauthModuleOptions>({ moduleName: 'Tinyauth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTinyauthOptions')
  .setExtras<TinyauthModuleExtras>({ isGlobal: false, login: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      { provide: TINYAUTH_LOGIN_PATH, useValue: extras.login ? loginPathOf(extras.login) : null },
    ],
    controllers: [
      ...(definition.controllers ?? []),
      ...(extras.login ? [createLoginController(loginPathOf(extras.login))] : []),
    ],
  }))
  .build();
