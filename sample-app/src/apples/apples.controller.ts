import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { RequireAction, TinyauthIdentity } from 'nestjs-tinyauth';
import { AppleDenialFilter } from './apple-denial.filter';
import { AppleStore, type Apple } from './apple.store';
import { CreateAppleDto } from './create-apple.dto';

/**
 * The apples API. Every handler names the permission it needs; the global `TinyauthGuard` (see `AppModule`) asks
 * tinyauth before the handler runs. Without a global guard, put `@UseGuards(TinyauthGuard)` on this class.
 *
 * ARNs use the service `apples`: `ListApples` is checked on `arn:tinyauth:apples:default::apples/`, `GetApple` on
 * `arn:tinyauth:apples:default::apples/<name>`.
 */
@Controller('api/v1/apples')
@UseFilters(AppleDenialFilter)
export class ApplesController {
  constructor(private readonly store: AppleStore) {}

  @Get()
  @RequireAction('ListApples', 'apples')
  list(): Apple[] {
    return this.store.list();
  }

  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  get(@Param('name') name: string): Apple {
    return this.store.get(name);
  }

  /** Answers 201 with the new apple, and who created it (the identity tinyauth established). */
  @Post()
  @RequireAction('CreateApple', 'apples')
  create(@Body() body: CreateAppleDto, @TinyauthIdentity() user: string): Apple & { createdBy: string } {
    return {
      ...this.store.create({ name: body.name, color: body.color, weight: body.weight }),
      createdBy: user,
    };
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireAction('DeleteApple', 'apples', 'name')
  delete(@Param('name') name: string): void {
    this.store.delete(name);
  }
}
