import {
  Controller,
  Get,
  HttpStatus,
  Module,
  Param,
  Post,
  Req,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common';
import {
  Public,
  RedirectToLogin,
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
  TinyauthService,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';
import { type TinyauthModuleExtras } from '../../src/options/tinyauth-options.interface';

type QueryRequest = { query?: Record<string, unknown> };

@Controller('apples')
@UseGuards(TinyauthGuard)
export class ApplesController {
  constructor(private readonly tinyauth: TinyauthService) {}

  @Get()
  @RequireAction('ListApples', 'apples')
  list(@TinyauthIdentity() who: string | undefined): object {
    return { apples: ['fred'], who: who ?? null };
  }

  @Get('health/check')
  @Public()
  health(): object {
    return { ok: true };
  }

  @Get('unannotated/handler')
  unannotated(): object {
    return { leaked: true };
  }

  @Get('ping/base')
  @RequireAction('Ping')
  ping(@TinyauthIdentity() who: string): object {
    return { who };
  }

  @Get('batch/select')
  @RequireAction('GetApple', 'apples', (input) =>
    String((input.request as QueryRequest).query?.names ?? '').split(','),
  )
  selected(@TinyauthIdentity() who: string): object {
    return { who };
  }

  @Get('inside/:name')
  @Public()
  async inside(@Req() req: object, @Param('name') name: string): Promise<object> {
    // Resource known only inside the handler: flask_tinyauth's call-in-the-view style.
    const decision = await this.tinyauth.authorizeOrThrow(req, 'GetApple', 'apples', name);
    return { name, who: decision.identity };
  }

  @Get('misnamed/:id')
  @RequireAction('GetApple', 'apples', 'name')
  misnamed(): object {
    return { leaked: true };
  }

  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  get(@Param('name') name: string, @TinyauthIdentity() who: string): object {
    return { name, who };
  }

  @Post(':name/eat')
  @RequireAction('GetApple', 'apples', 'name')
  @RequireAction('EatApple', 'apples', 'name')
  eat(@Param('name') name: string): object {
    return { eaten: name, status: HttpStatus.CREATED };
  }
}

@Controller('orchards')
@UseGuards(TinyauthGuard)
@RequireAction('EnterOrchard', 'orchards')
export class OrchardController {
  @Get(':tree')
  @RequireAction('PickFrom', 'trees', 'tree')
  pick(@Param('tree') tree: string, @TinyauthIdentity() who: string): object {
    return { tree, who };
  }
}

@Controller('page')
@UseGuards(TinyauthGuard)
@RedirectToLogin()
export class PageController {
  @Get()
  @RequireAction('AccessWebInterface')
  page(@TinyauthIdentity() who: string): string {
    return `hello ${who}`;
  }

  @Post()
  @RequireAction('AccessWebInterface')
  submit(@TinyauthIdentity() who: string): string {
    return `posted by ${who}`;
  }
}

@Controller('open')
@UseGuards(TinyauthGuard)
@Public()
export class OpenController {
  @Get()
  index(): object {
    return { open: true };
  }

  @Get('stats')
  @RequireAction('ListApples', 'apples')
  stats(@TinyauthIdentity() who: string): object {
    return { who };
  }
}

/** A root module for the guard tests with the given options. */
export function guardAppModule(
  options: TinyauthModuleOptions & TinyauthModuleExtras,
  extraProviders: DynamicModule['providers'] = [],
) {
  @Module({
    imports: [TinyauthModule.forRoot(options)],
    controllers: [ApplesController, OrchardController, PageController, OpenController],
    providers: extraProviders,
  })
  class GuardAppModule {}
  return GuardAppModule;
}
