import type { IncomingMessage } from 'node:http';
import { Controller, Get, Module, Param, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
} from '@nestjs/websockets';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import {
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
  TinyauthService,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';

/**
 * A gateway that requires `Ping` of every connection (checked as it opens) and of every message, and
 * `GetApple` on the message's `name` for the `apple` message.
 */
@WebSocketGateway()
@UseGuards(TinyauthGuard)
@RequireAction('Ping')
export class ApplesGateway implements OnGatewayConnection {
  constructor(
    private readonly guard: TinyauthGuard,
    private readonly tinyauth: TinyauthService,
  ) {}

  handleConnection(client: object, request?: IncomingMessage): Promise<boolean> {
    return this.guard.checkConnection(this, client, request);
  }

  @SubscribeMessage('apple')
  @RequireAction('GetApple', 'apples', 'name')
  apple(@MessageBody() body: { name: string }, @TinyauthIdentity() who: string): object {
    return { event: 'apple', data: { name: body.name, who } };
  }

  @SubscribeMessage('inside')
  @RequireAction('ListApples', 'apples')
  async inside(
    @MessageBody() body: { name: string },
    @ConnectedSocket() client: object,
    @TinyauthIdentity() who: string,
  ): Promise<object> {
    await this.tinyauth.authorizeOrThrow(client, 'EatApple', 'apples', body.name);
    return { event: 'inside', data: { name: body.name, who } };
  }
}

/** The HTTP twin of the gateway's `apple` message, for differential checks. */
@Controller('ws-twin')
@UseGuards(TinyauthGuard)
@RequireAction('Ping')
export class GatewayTwinController {
  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  apple(@Param('name') name: string): object {
    return { name };
  }
}

export function gatewayAppModule(options: TinyauthModuleOptions) {
  @Module({
    imports: [TinyauthModule.forRoot(options)],
    controllers: [GatewayTwinController],
    providers: [ApplesGateway],
  })
  class GatewayAppModule {}
  return GatewayAppModule;
}

/** Message handlers and their HTTP twin in one controller, under one global guard (a hybrid app). */
@Controller('rpc-twin')
export class ApplesRpcController {
  constructor(private readonly tinyauth: TinyauthService) {}

  @MessagePattern('apple')
  @RequireAction('GetApple', 'apples', 'name')
  apple(@Payload() data: { name: string }, @TinyauthIdentity() who: string): object {
    return { name: data.name, who };
  }

  @MessagePattern('ping')
  @RequireAction('Ping')
  ping(@TinyauthIdentity() who: string): object {
    return { who };
  }

  @MessagePattern('eat')
  @RequireAction('ListApples', 'apples')
  async eat(@Payload() data: { name: string }, @Ctx() context: object): Promise<object> {
    await this.tinyauth.authorizeOrThrow(context, 'EatApple', 'apples', data.name);
    return { eaten: data.name };
  }

  @Get(':name')
  @RequireAction('GetApple', 'apples', 'name')
  httpApple(@Param('name') name: string): object {
    return { name };
  }
}

export function hybridAppModule(options: TinyauthModuleOptions) {
  @Module({
    imports: [TinyauthModule.forRoot(options)],
    controllers: [ApplesRpcController],
    providers: [{ provide: APP_GUARD, useExisting: TinyauthGuard }],
  })
  class HybridAppModule {}
  return HybridAppModule;
}
